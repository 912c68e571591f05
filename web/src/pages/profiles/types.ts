import type { Json } from '../../api-types.ts';
import type { ProfileInput, ProfileService } from '../../../../src/services/profile/profiles.ts';
import type { ServerKind } from '../../../../src/services/profile/spec.ts';

/** The profile routes' answers (src/http/routes/profiles.ts). */
export type Profile = Json<Awaited<ReturnType<ProfileService['list']>>>[number];
export type { ProfileInput, ServerKind };
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
