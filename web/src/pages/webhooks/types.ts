import type {
  DeliveryView,
  NewWebhook,
  WebhookView,
} from '../../../../src/services/webhook/service.ts';
import type { DeliveryStatus } from '../../../../src/store/queries/webhook-deliveries.ts';

/** The webhook routes' answers (src/http/routes/webhooks.ts, docs/webhooks.md). */
export type { DeliveryStatus, NewWebhook, WebhookView as Webhook, DeliveryView as Delivery };
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = [
  'pending',
  'failed',
  'dead',
  'delivered',
];
export interface DeliveryPage {
  items: DeliveryView[];
  next: number | null;
}
