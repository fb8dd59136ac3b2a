// Worker entry: wiring only. Routes live in app.ts, the cron job in cron.ts.

import { app } from './app.ts';
import { scheduled } from './cron.ts';
import type { Env } from './env.ts';

export { RepositoryWriter } from './commit/writer.ts';

export default { fetch: app.fetch, scheduled } satisfies ExportedHandler<Env>;
