import 'server-only';

// Alerts: rules over what the home page knows, email and webhook channels, the history.
export { setAlertGate, startAlertTicker, stopAlertTicker, alertTick, ALERT_TICK_MS } from './ticker';
export { collectConditions } from './collect';
export { runAlertTick, deliverDue, sendTest, GIVE_UP_AFTER_MS, type TickFacts } from './engine';
export {
  alertHistory,
  emailChannelView,
  webhookChannelView,
  hasWebhookSecret,
  keptConditions,
  readRules,
  saveRules,
  saveEmailChannel,
  saveWebhookChannel,
  readEmailChannel,
  type Delivery,
} from './store';
export { ALERT_KINDS, type AlertCondition, type KeptCondition } from './rules';
export { SIGNATURE_HEADER, signBody, verifySignature } from './signature';
