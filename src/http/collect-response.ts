/**
 * One HTTP exchange through undici's dispatch API, the response body collected into one Buffer. undici's
 * `request()` hands the body over as a Readable stream and listens on an AbortSignal for the timeout; for pages
 * of a few kilobytes, thousands of them per sync, that machinery cost more than reading the bytes.
 */
import type { Dispatcher } from 'undici';

/** No complete response within the time allowed for the whole exchange. */
export class ResponseTimeoutError extends Error {
  override readonly name = 'ResponseTimeoutError';
}

export interface CollectedResponse {
  statusCode: number;
  /** header names in lower case */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A body as UTF-8 text without a leading byte-order mark, which JSON.parse rejects (undici's `text()` drops it too). */
export function utf8Text(body: Buffer): string {
  const start = body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  return body.toString('utf8', start);
}

/**
 * Sends one request and resolves with the whole response. `timeoutMs` bounds the exchange from this call to the
 * body's last byte, so a body trickling in slowly is cut off too, not only a silent server. Rejects with undici's
 * own errors for network failures and with a ResponseTimeoutError on timeout.
 */
export function collectResponse(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, timeoutMs: number): Promise<CollectedResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let statusCode = 0;
    let headers: CollectedResponse['headers'] = {};
    let controller: Dispatcher.DispatchController | undefined;
    let timedOut: ResponseTimeoutError | undefined;
    const timer = setTimeout(() => {
      timedOut = new ResponseTimeoutError(`no complete response within ${timeoutMs} ms`);
      // a request still queued for a connection is aborted as soon as it gets one (onRequestStart)
      controller?.abort(timedOut);
      reject(timedOut);
    }, timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    try {
      dispatcher.dispatch(options, {
        onRequestStart(started) {
          controller = started;
          if (timedOut !== undefined) started.abort(timedOut);
        },
        onResponseStart(_controller, status, responseHeaders) {
          // 1xx answers are interim: the final status follows on the same exchange
          if (status < 200) return;
          statusCode = status;
          headers = responseHeaders;
        },
        onResponseData(_controller, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          clearTimeout(timer);
          resolve({ statusCode, headers, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks) });
        },
        onResponseError(_controller, error) {
          fail(error);
        },
      });
    } catch (error) {
      fail(error as Error);
    }
  });
}
