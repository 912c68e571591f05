/** GET /api/admin/events and /api/admin/events/:id (src/http/routes/admin.ts). */
export type EventSource = 'auth' | 'message' | 'internal';
export const EVENT_SOURCES: readonly EventSource[] = ['auth', 'message', 'internal'];
export interface EventItem {
  id: number;
  appid: string | null;
  type: string;
  source: EventSource;
  receivedAt: string;
}
export interface EventPage {
  items: EventItem[];
  next: number | null;
}
export interface EventDetail extends EventItem {
  createTime: string | null;
  decoded: Record<string, unknown>;
}
