// The IdP SDKs' own HTTP hooks, all on one IdpHttp: msal-node's `system.networkClient`,
// okta-auth-js's `httpRequestClient` and a fetch for google-auth-library's Gaxios transport. So
// every request an SDK makes uses the workspace's trust anchors and nothing else (no proxy
// settings, no instance discovery at login.microsoftonline.com when the authority is given).
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node'
import type { HttpRequestClient, HttpResponse } from '@okta/okta-auth-js'
import type { IdpHttp } from '../http'

/** msal-node: JSON bodies parsed; msal reads errors from the body, so any status resolves. */
export function msalNetwork(http: IdpHttp): INetworkModule {
  const send = async <T>(
    method: 'GET' | 'POST',
    url: string,
    o?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> => {
    const res = await http.send({ method, url, headers: o?.headers, body: o?.body })
    let body: unknown
    try {
      body = JSON.parse(res.body)
    } catch {
      body = { error: 'invalid_response', error_description: `Not JSON (${res.status}) from ${url}` }
    }
    return { headers: res.headers, body: body as T, status: res.status }
  }
  return {
    sendGetRequestAsync: (url, o) => send('GET', url, o),
    sendPostRequestAsync: (url, o) => send('POST', url, o),
  }
}

/**
 * okta-auth-js's httpRequestClient (its default is the global fetch): resolves 2xx, and rejects
 * with the same result shape otherwise, as its fetchRequest does (okta-auth-js fetch/fetchRequest.js).
 */
export function oktaHttpClient(http: IdpHttp): HttpRequestClient {
  return async (method, url, args) => {
    const headers: Record<string, string> = {}
    new Headers(args.headers).forEach((v, k) => {
      headers[k] = v
    })
    const data = args.data as unknown
    const body =
      data === undefined || data === null ? undefined : typeof data === 'string' ? data : JSON.stringify(data)
    const res = await http.send({ method: method === 'POST' ? 'POST' : 'GET', url, headers, body })
    const result: HttpResponse = { responseText: res.body, status: res.status, headers: res.headers }
    try {
      result.responseJSON = JSON.parse(res.body) as Record<string, unknown>
      result.responseType = 'json'
    } catch {
      // Not JSON: the text is kept, as okta-auth-js does.
    }
    if (res.status < 200 || res.status >= 300 || result.responseJSON?.['error']) throw result
    return result
  }
}

/** A fetch for Gaxios (its `fetchImplementation` option) over IdpHttp. */
export function fetchOver(http: IdpHttp): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    const headers: Record<string, string> = {}
    new Headers(init?.headers).forEach((v, k) => {
      headers[k] = v
    })
    const body = init?.body
    let text: string | undefined
    if (body instanceof URLSearchParams) {
      text = body.toString()
      headers['content-type'] ??= 'application/x-www-form-urlencoded'
    } else if (typeof body === 'string') text = body
    else if (body !== undefined && body !== null) throw new Error(`Unsupported request body for ${url}`)
    const res = await http.send({ method: init?.method === 'POST' ? 'POST' : 'GET', url, headers, body: text })
    return new Response(res.body, { status: res.status, headers: res.headers })
  }
}
