/**
 * Every route module of the API, in the order they appear in /openapi.json. A new resource (limiters, …) is one file
 * under routes/ and one line here; the auth test walks the routes the app has, so it cannot escape the key check.
 */
import { calendarRoutes } from './calendars.js';
import type { RouteModule } from './context.js';
import { healthRoutes, metricsRoutes } from './health.js';
import { jobRoutes } from './jobs.js';
import { keyRoutes } from './keys.js';
import { limiterRoutes } from './limiters.js';
import { queueRoutes } from './queues.js';
import { scheduleRoutes } from './schedules.js';

export const ROUTE_MODULES: readonly RouteModule[] = [healthRoutes, jobRoutes, queueRoutes, scheduleRoutes, calendarRoutes, limiterRoutes, keyRoutes, metricsRoutes];
