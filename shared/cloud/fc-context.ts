/**
 * The `context` Function Compute passes to a Node.js 20 handler, as far as this project reads it.
 * Field names follow the Function Compute Node.js runtime documentation ("Context").
 */
export interface FcCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface FcContext {
  requestId: string;
  credentials: FcCredentials;
  function: {
    name: string;
    handler?: string;
    memory?: number;
    /** Seconds. */
    timeout: number;
    initializer?: string;
  };
  service?: {
    name: string;
    logProject?: string;
    logStore?: string;
    qualifier?: string;
    versionId?: string;
  };
  region: string;
  accountId: string;
  /** Not part of the real context: lets the emulator and tests tell the handler its deadline. */
  deadlineMs?: number;
}

/** The Function Compute Node.js 20 handler signature: `exports.handler = async (event, context) => ...`. */
export type FcHandler = (event: Buffer | string, context: FcContext) => Promise<unknown>;
