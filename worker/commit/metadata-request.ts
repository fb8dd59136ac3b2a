// The body of `POST /api/admin/metadata` (what `tuf-edge root|targets publish
// --url` sends): {"root"?: DRAFT, "targets"?: DRAFT}, each a draft file as
// `tuf-edge root|targets edit` writes it. Pure, so every refusal is tested in
// Node; the route maps a refusal to 400. Only the drafts' metadata goes on,
// as canonical bytes (what a Durable Object call carries unchanged); their
// thresholds are a display aid, and publish checks the repository's own.

import { parseDraft, serializeMetadata, TufError } from '../../shared/index.ts';

export interface MetadataDrafts {
  readonly root?: Uint8Array;
  readonly targets?: Uint8Array;
}

/** The drafts' metadata, or a one-line reason the request is refused. */
export function parseMetadataRequest(body: unknown): MetadataDrafts | { readonly error: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { error: 'The body must be JSON: {"root"?: draft, "targets"?: draft}' };
  const fields = Object.keys(body);
  const unknown = fields.filter((f) => f !== 'root' && f !== 'targets');
  if (unknown.length > 0) return { error: `Unknown field ${JSON.stringify(unknown[0]).slice(0, 80)}: the body is {"root"?: draft, "targets"?: draft}` };
  if (fields.length === 0) return { error: 'Nothing to publish: give a root draft, a targets draft or both.' };
  const out: { root?: Uint8Array; targets?: Uint8Array } = {};
  for (const role of ['root', 'targets'] as const) {
    const json = (body as Record<string, unknown>)[role];
    if (json === undefined) continue;
    try {
      const draft = parseDraft(json);
      if (draft.role !== role) return { error: `"${role}" holds a ${draft.role} draft` };
      out[role] = serializeMetadata(draft.metadata);
    } catch (error) {
      if (error instanceof TufError) return { error: `"${role}": ${error.message}` };
      throw error;
    }
  }
  return out;
}
