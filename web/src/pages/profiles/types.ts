import type { RequestBody, Schemas } from '../../api-types.ts';

/**
 * A profile as GET /api/admin/profiles lists it (with the tenants given it), from the OpenAPI
 * document's generated types: the parts of the desired state a profile leaves out are absent.
 */
export type Profile = Schemas['ProfileListItem'];
/** What POST and PATCH /api/admin/profiles take. */
export type ProfileInput = RequestBody<'createProfile'>;
/** The kinds of server domain (request, socket, upload, download, udp, tcp). */
export type ServerKind = keyof NonNullable<ProfileInput['server_domains']>;
export const SERVER_KINDS: readonly ServerKind[] = [
  'request',
  'socket',
  'upload',
  'download',
  'udp',
  'tcp',
];
export const SCHEMES: Record<ServerKind, string> = {
  request: 'https',
  socket: 'wss',
  upload: 'https',
  download: 'https',
  udp: 'udp',
  tcp: 'tcp',
};
