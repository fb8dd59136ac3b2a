// The one error mapping: each kind of failure gets its status, a one-line
// body that reveals no internals, and one log line whose event names the kind.

import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MetadataFormatError } from '../../shared/index.ts';
import { ConfigError, RepositoryBrokenError, storageCall, StorageUnavailableError, WriterBusyError } from '../errors.ts';
import { clientError, onError } from './errors.ts';

function appThrowing(error: Error): Hono {
  const app = new Hono();
  app.get('/', () => {
    throw error;
  });
  app.onError(onError);
  return app;
}

afterEach(() => vi.restoreAllMocks());

describe('onError', () => {
  const cases: [string, Error, number, string][] = [
    ['storage unavailable', new StorageUnavailableError('R2 get metadata/3.snapshot.json failed: network'), 503, 'storage-unavailable'],
    ['writer busy', new WriterBusyError('the head kept moving'), 503, 'writer-busy'],
    ['repository broken', new RepositoryBrokenError('repository is missing metadata/3.snapshot.json'), 500, 'repository-broken'],
    ['stored metadata that does not parse', new MetadataFormatError('signed.version: must be an integer'), 500, 'repository-broken'],
    ['misconfigured', new ConfigError('BINS_PER_RUN is not a positive integer'), 500, 'misconfigured'],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'signed')"), 500, 'bug'],
  ];
  it.each(cases)('%s: status %i, event %s, no internals in the body', async (_name, error, status, event) => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const response = await appThrowing(error).request('/');
    expect(response.status).toBe(status);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    const body = await response.text();
    expect(body).not.toContain(error.message);
    expect(log).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(log.mock.calls[0]![0]))).toMatchObject({ event, error: error.name, message: error.message });
  });

  it('503s say when to retry', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const response = await appThrowing(new StorageUnavailableError('x')).request('/');
    expect(response.headers.get('Retry-After')).toBe('5');
  });

  it('client errors keep their message in the body and the reason phrase, and are not logged', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const response = await appThrowing(clientError(400, 'File already exists: a-1.0.tar.gz')).request('/');
    expect(response.status).toBe(400);
    expect(response.statusText).toBe('File already exists: a-1.0.tar.gz');
    expect(await response.text()).toBe('File already exists: a-1.0.tar.gz\n');
    expect(log).not.toHaveBeenCalled();
  });
});

describe('storageCall', () => {
  it('turns a platform error into a StorageUnavailableError naming the operation', async () => {
    const failing = storageCall('R2 get metadata/timestamp.json', () => Promise.reject(new Error('network connection lost')));
    await expect(failing).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(failing).rejects.toThrow('R2 get metadata/timestamp.json failed: network connection lost');
  });

  it('passes results through', async () => {
    expect(await storageCall('op', () => Promise.resolve(7))).toBe(7);
  });
});
