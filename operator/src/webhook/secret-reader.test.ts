// apiSecretReader against a fake CoreV1Api.readNamespacedSecret (the function boundary): the
// name and namespace it asks for, 404 as "not found", other errors thrown, the signal reaching
// the request.
import {
  ApiException,
  HttpMethod,
  RequestContext,
  type ConfigurationOptions,
  type V1Secret,
} from '@kubernetes/client-node';
import { abortOptions, apiSecretReader, type SecretApi } from './secret-reader.js';
import { secret } from './testdata/fixtures.js';

type Read = (param: { name: string; namespace: string }, options?: ConfigurationOptions) => Promise<V1Secret>;

function fakeApi(read: Read): { api: SecretApi; calls: { name: string; namespace: string }[] } {
  const calls: { name: string; namespace: string }[] = [];
  const api = {
    readNamespacedSecret: (param: { name: string; namespace: string }, options?: ConfigurationOptions) => {
      calls.push({ name: param.name, namespace: param.namespace });
      return read(param, options);
    },
  } as unknown as SecretApi;
  return { api, calls };
}

/** The RequestContext client-node would send, after the options' middleware ran. */
async function sentContext(options: ConfigurationOptions | undefined): Promise<RequestContext> {
  let ctx = new RequestContext('https://hub.example/api/v1/namespaces/ns/secrets/x', HttpMethod.GET);
  for (const m of options?.middleware ?? []) ctx = await m.pre(ctx).toPromise();
  return ctx;
}

describe('apiSecretReader', () => {
  const s = secret('paygrid-member-edge-a', { kubeconfig: 'x' });

  it('GETs the Secret by name in the operator namespace', async () => {
    const { api, calls } = fakeApi(async () => s);
    expect(await apiSecretReader(api, 'paygrid-system')('paygrid-member-edge-a')).toBe(s);
    expect(calls).toEqual([{ name: 'paygrid-member-edge-a', namespace: 'paygrid-system' }]);
  });

  it('answers undefined for a Secret that does not exist (404)', async () => {
    const { api } = fakeApi(async () => {
      throw new ApiException(404, 'Not Found', { kind: 'Status', code: 404, reason: 'NotFound' }, {});
    });
    expect(await apiSecretReader(api, 'paygrid-system')('missing')).toBeUndefined();
  });

  it('throws any other error: forbidden, server errors, the network', async () => {
    for (const err of [
      new ApiException(403, 'Forbidden', { kind: 'Status', code: 403, reason: 'Forbidden' }, {}),
      new ApiException(500, 'Internal Server Error', '', {}),
      new Error('connect ECONNREFUSED 127.0.0.1:6443'),
    ]) {
      const { api } = fakeApi(async () => {
        throw err;
      });
      await expect(apiSecretReader(api, 'paygrid-system')('x')).rejects.toBe(err);
    }
  });

  it('hands the signal to the request, so the deadline aborts it', async () => {
    const controller = new AbortController();
    const { api } = fakeApi(async (_param, options) => {
      const signal = (await sentContext(options)).getSignal();
      // As fetch does: reject when the request's signal aborts.
      return new Promise<V1Secret>((_resolve, reject) => {
        if (signal?.aborted) reject(signal.reason as Error);
        signal?.addEventListener('abort', () => reject(signal.reason as Error));
      });
    });
    const read = apiSecretReader(api, 'paygrid-system')('x', controller.signal);
    controller.abort(new Error('deadline exceeded'));
    await expect(read).rejects.toThrow('deadline exceeded');
  }, 5_000);

  it('passes no options without a signal', async () => {
    let seen: ConfigurationOptions | undefined = {};
    const { api } = fakeApi(async (_param, options) => {
      seen = options;
      return s;
    });
    await apiSecretReader(api, 'paygrid-system')('x');
    expect(seen).toBeUndefined();
  });
});

describe('abortOptions', () => {
  it("sets the signal on the request and keeps client-node's own middleware (append)", async () => {
    const signal = new AbortController().signal;
    const options = abortOptions(signal);
    expect(options.middlewareMergeStrategy).toBe('append');
    expect((await sentContext(options)).getSignal()).toBe(signal);
  });
});
