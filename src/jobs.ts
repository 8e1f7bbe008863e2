import type { AppContext } from './app-context.js';
import { housekeepingJob } from './housekeeping.js';
import { notificationJobs } from './modules/notifications/notification.jobs.js';
import { orderJobs } from './modules/orders/order.jobs.js';
import { paymentJobs } from './modules/payments/payment.jobs.js';
import type { AnyJobDefinition } from './shared/jobs.js';

/** Every job Ordo runs. Queues are created for these at start. */
export const allJobs: AnyJobDefinition<AppContext>[] = [
  ...notificationJobs,
  ...orderJobs,
  ...paymentJobs,
  housekeepingJob,
];
