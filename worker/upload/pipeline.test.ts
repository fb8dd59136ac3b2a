// The upload pipeline in Node, over in-memory ports: what it stores, what it
// submits, what it deletes, and the outcome it returns.
import { describe, expect, it } from 'vitest';
import { makeSdist, makeWheel, uploadBody, type Distribution } from '../../test/harness/uploads.ts';
import type { ChangeOutcome, PublishChange } from '../commit/changes.ts';
import { runUpload, type RepositoryPort, type UploadRequest } from './pipeline.ts';
import { memoryStaging } from '../../test/harness/memory-staging.ts';


function memoryRepository(decide: (change: PublishChange) => ChangeOutcome) {
  const submitted: PublishChange[] = [];
  const port: RepositoryPort = {
    findTarget: async () => null,
    projectFiles: async () => [],
    wasRemoved: async () => false,
    async submit(change) {
      submitted.push(change);
      return decide(change);
    },
  };
  return { port, submitted };
}

function request(dist: Distribution, mayUpload = (_: string) => true, over?: Parameters<typeof uploadBody>[1]): UploadRequest {
  const { contentType, body } = uploadBody(dist, over);
  return { body: new Blob([Uint8Array.from(body)]).stream(), contentType, mayUpload, maxFileBytes: 1 << 20, now: () => Date.UTC(2026, 0, 1) };
}

describe('runUpload', () => {
  it('publishes a wheel: the file and its METADATA under their own hashes, the staging object deleted', async () => {
    const staging = memoryStaging();
    const repo = memoryRepository(() => ({ status: 'committed', snapshotVersion: 7 }));
    const wheel = makeWheel('nu', '1.0');
    const outcome = await runUpload(request(wheel), { staging: staging.port, repository: repo.port });
    expect(outcome).toEqual({ kind: 'published', project: 'nu', filename: wheel.filename, snapshotVersion: 7 });
    const meta = repo.submitted[0]!.file.coreMetadata!;
    expect([...staging.objects.keys()].sort()).toEqual(
      [`targets/files/nu/${wheel.sha256}.${wheel.filename}`, `targets/files/nu/${meta.sha256}.${wheel.filename}.metadata`].sort(),
    );
    expect(repo.submitted[0]!.file).toMatchObject({ filename: wheel.filename, sha256: wheel.sha256, uploadTime: '2026-01-01T00:00:00.000000Z' });
  });

  it('when the writer refuses, deletes what it copied and answers 400 with the writer\'s message', async () => {
    const staging = memoryStaging();
    const repo = memoryRepository(() => ({ status: 'conflict', message: 'File already exists: raced' }));
    const outcome = await runUpload(request(makeWheel('nu', '1.0')), { staging: staging.port, repository: repo.port });
    expect(outcome).toEqual({ kind: 'refused', status: 400, message: 'File already exists: raced' });
    expect([...staging.objects.keys()]).toEqual([]);
  });

  it('keeps a copy the head references after a refusal (an identical upload won the race)', async () => {
    const staging = memoryStaging();
    const dist = makeSdist('nu', '1.0');
    const repo = memoryRepository(() => ({ status: 'conflict', message: 'no' }));
    // The racing identical upload is in the head by the time this one's submit is refused.
    let submitted = false;
    const port: RepositoryPort = {
      ...repo.port,
      submit: (change) => {
        submitted = true;
        return repo.port.submit(change);
      },
      findTarget: async () => (submitted ? { sha256: dist.sha256 } : null),
    };
    await runUpload(request(dist), { staging: staging.port, repository: port });
    expect([...staging.objects.keys()]).toEqual([`targets/files/nu/${dist.sha256}.${dist.filename}`]);
  });

  it('does not delete an object it did not create', async () => {
    const staging = memoryStaging();
    const dist = makeSdist('nu', '1.0');
    const key = `targets/files/nu/${dist.sha256}.${dist.filename}`;
    await staging.objects.put(key, dist.bytes);
    const repo = memoryRepository(() => ({ status: 'conflict', message: 'no' }));
    await runUpload(request(dist), { staging: staging.port, repository: repo.port });
    expect([...staging.objects.keys()]).toEqual([key]);
  });

  it('answers an early release conflict without copying or submitting', async () => {
    const staging = memoryStaging();
    const repo = memoryRepository(() => ({ status: 'committed', snapshotVersion: 1 }));
    const port: RepositoryPort = { ...repo.port, projectFiles: async () => [{ filename: 'nu-1.0.tar.gz', hashes: { sha256: 'a'.repeat(64) } }] };
    const outcome = await runUpload(request(makeSdist('nu', '1.00')), { staging: staging.port, repository: port });
    expect(outcome).toMatchObject({ kind: 'refused', status: 400, message: expect.stringMatching(/^Only one sdist/) });
    expect(repo.submitted).toEqual([]);
    expect([...staging.objects.keys()]).toEqual([]);
  });

  it('answers a filename taken down (tombstoned) without copying or submitting', async () => {
    const staging = memoryStaging();
    const repo = memoryRepository(() => ({ status: 'committed', snapshotVersion: 1 }));
    const port: RepositoryPort = { ...repo.port, wasRemoved: async (project, filename) => project === 'nu' && filename === 'nu-1.0.tar.gz' };
    const outcome = await runUpload(request(makeSdist('nu', '1.0')), { staging: staging.port, repository: port });
    expect(outcome).toMatchObject({ kind: 'refused', status: 400, message: expect.stringContaining('was removed from this index') });
    expect(repo.submitted).toEqual([]);
    expect([...staging.objects.keys()]).toEqual([]);
  });

  it('refuses an out-of-scope project with 403 and stores nothing', async () => {
    const staging = memoryStaging();
    const repo = memoryRepository(() => ({ status: 'committed', snapshotVersion: 1 }));
    const outcome = await runUpload(request(makeSdist('nu', '1.0'), (p) => p === 'other'), { staging: staging.port, repository: repo.port });
    expect(outcome).toEqual({ kind: 'refused', status: 403, message: "This token may not upload to the project 'nu'." });
    expect([...staging.objects.keys()]).toEqual([]);
  });

  it('a file over maxFileBytes is refused 413', async () => {
    const staging = memoryStaging();
    const repo = memoryRepository(() => ({ status: 'committed', snapshotVersion: 1 }));
    const outcome = await runUpload({ ...request(makeSdist('nu', '1.0', 5000)), maxFileBytes: 4096 }, { staging: staging.port, repository: repo.port });
    expect(outcome).toMatchObject({ kind: 'refused', status: 413 });
    expect([...staging.objects.keys()]).toEqual([]);
  });

  it('refuses a requires_python the page renderer would refuse (issue 13): 400, nothing stored or submitted', async () => {
    const staging = memoryStaging();
    const repo = memoryRepository(() => ({ status: 'committed', snapshotVersion: 7 }));
    const sdist = makeSdist('nu', '1.0');
    const outcome = await runUpload(request(sdist, undefined, { fields: { requires_python: '>=3.8\u0001' } }), { staging: staging.port, repository: repo.port });
    expect(outcome).toEqual({
      kind: 'refused',
      status: 400,
      message: "Invalid requires_python '>=3.8\\u{1}': it contains a control character or a lone surrogate.",
    });
    expect(repo.submitted).toEqual([]);
    expect([...staging.objects.keys()]).toEqual([]);
  });

  it('keeps messages short whatever was sent: a 10,000-character filename, a 200 KB version (issue 13)', async () => {
    const sdist = makeSdist('nu', '1.0');
    const ports = () => ({ staging: memoryStaging().port, repository: memoryRepository(() => ({ status: 'committed', snapshotVersion: 7 })).port });
    for (const over of <Parameters<typeof uploadBody>[1][]>[{ filename: `${'n'.repeat(10_000)}-1.0.tar.gz` }, { fields: { version: '9'.repeat(200_000) } }, { fields: { name: 'x'.repeat(200_000) } }]) {
      const outcome = await runUpload(request(sdist, undefined, over), ports());
      expect(outcome).toMatchObject({ kind: 'refused', status: 400 });
      expect((outcome as { message: string }).message.length).toBeLessThan(400);
    }
  });
});
