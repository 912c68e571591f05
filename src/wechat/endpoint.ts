import type { z } from 'zod';

/** Which credential an endpoint takes in its query string. */
export type TokenKind = 'none' | 'component' | 'authorizer';

/**
 * One row of the endpoint table. The same rows drive the client, the emulator, the docs and the
 * coverage test: no per-endpoint method is written by hand.
 */
export interface EndpointDef<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  token: TokenKind;
  /** Name of the query parameter that carries the token. */
  tokenParam?: 'component_access_token' | 'access_token';
  request: Req;
  response: Res;
  /** Errcodes documented for this endpoint, beyond the common token errors. */
  errcodes: readonly number[];
  doc: string;
  summary: string;
}

export function defineEndpoints<const T extends Record<string, EndpointDef>>(rows: T): T {
  for (const [key, row] of Object.entries(rows)) {
    if (key !== row.name)
      throw new Error(`endpoint key ${key} does not match its name ${row.name}`);
  }
  return rows;
}
