import type { RequestBody, Schema, Schemas } from '../../api-types.ts';

/** The webhook routes' answers (OpenAPI: Webhook, WebhookDelivery; docs/webhooks.md). */
export type Webhook = Schemas['Webhook'];
type DeliveryView = Schema<'WebhookDelivery'>;
export type Delivery = DeliveryView;
export type DeliveryStatus = DeliveryView['status'];
export type NewWebhook = RequestBody<'createWebhook'>;
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
