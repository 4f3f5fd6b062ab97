/**
 * Minimal types for @alicloud/fc2 2.6.x (the package ships none), written from its `lib/client.js`.
 * Only what this project uses: the constructor, `invokeFunction`, the generic `request`/`post`/`get` and
 * the public fields they read (`version` picks the API version segment of every path).
 *
 * Errors: a non-2xx answer is thrown as a plain `Error` with `name = 'FC' + ErrorCode + 'Error'`,
 * `code = ErrorCode` and a message `"<METHOD> <path> failed with <status>. requestid: <id>, message:
 * <ErrorMessage>."`; the HTTP status and request id exist only inside that message. Network errors come
 * from httpx (`name` `RequestTimeoutError`, or `code` such as `ECONNRESET`).
 */
declare module '@alicloud/fc2' {
  namespace FC {
    interface Config {
      accessKeyID: string;
      accessKeySecret: string;
      /** Sent (as `x-fc-security-token`) only when `accessKeyID` starts with `STS`. */
      securityToken?: string;
      region: string;
      /** `http://host:port`; default `http(s)://<accountId>.<region>[-internal].fc.aliyuncs.com`. */
      endpoint?: string;
      secure?: boolean;
      internal?: boolean;
      /** Milliseconds, default 60000. */
      timeout?: number;
      /** Extra headers for every request. */
      headers?: Record<string, string>;
    }

    interface Response<T = unknown> {
      headers: Record<string, string | string[] | undefined>;
      /** Parsed JSON when the answer is `application/json`, else a string (a Buffer with `rawBuf`). */
      data: T;
    }

    interface RequestOptions {
      /** Return the body as a Buffer (not for error answers, which are always decoded). */
      rawBuf?: boolean;
    }

    type Headers = Record<string, string>;
    type Body = string | Buffer | Record<string, unknown> | null | undefined;
  }

  class FC {
    constructor(accountId: string, config: FC.Config);
    accountid: string;
    endpoint: string;
    /** Host header value: the endpoint's hostname, without port. */
    host: string;
    region: string;
    timeout: number;
    /** API version path segment, `2016-08-15`; set `2023-03-30` to reach FC 3.0 paths. */
    version: string;

    invokeFunction(
      serviceName: string,
      functionName: string,
      event?: string | Buffer | null,
      headers?: FC.Headers,
      qualifier?: string,
      opts?: FC.RequestOptions,
    ): Promise<FC.Response<string | Buffer | Record<string, unknown>>>;

    request(
      method: string,
      path: string,
      query: Record<string, string> | null,
      body: FC.Body,
      headers?: FC.Headers,
      opts?: FC.RequestOptions,
    ): Promise<FC.Response>;
    get(path: string, query?: Record<string, string> | null, headers?: FC.Headers): Promise<FC.Response>;
    post(
      path: string,
      body: FC.Body,
      headers?: FC.Headers,
      queries?: Record<string, string> | null,
      opts?: FC.RequestOptions,
    ): Promise<FC.Response>;

    static getSignature(
      accessKeyID: string,
      accessKeySecret: string,
      method: string,
      path: string,
      headers: Record<string, string>,
      queries?: Record<string, string | string[]> | null,
    ): string;
  }

  export = FC;
}
