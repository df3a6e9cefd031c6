// Helpers for the trust checks of the incoming path: announce orders to the CRM as the outbox does,
// read the refusal counters the Health tab shows, and change the receiver's settings for one test.
import type { SiteState } from '../stack/wordpress.ts';
import { wpEval, wpEvalJson, site } from './stack.ts';
import { announceToCrmPhp } from './announce.ts';

/** Announces the orders to the CRM (see announceToCrmPhp), as the outbox does when a CRM subscription is active. */
export function announceToCrm(orderIds: number[], s: SiteState = site()): void {
  wpEval(announceToCrmPhp(orderIds), s);
}

export interface RefusalSummary {
  classes: { class: string; count: number; last_refused_at: string | null }[];
  samples: { class: string; message: string; at: string; ip: string }[];
}

/** The refusal counters and samples, including those not yet written to the database. */
export function refusalSummary(s: SiteState = site()): RefusalSummary {
  return wpEvalJson<RefusalSummary>(`echo wp_json_encode( \\CrmBridge\\Refusals::summary() );`, s);
}

export function refusalTotal(refusalClass: string, s: SiteState = site()): number {
  return refusalSummary(s).classes.find((c) => c.class === refusalClass)?.count ?? 0;
}

/** Merges settings into the stored ones without validation (the receiver reads missing keys as empty). */
export function updateSettings(settings: Record<string, unknown>, s: SiteState = site()): void {
  wpEval(`\\CrmBridge\\Settings::update( json_decode( ${JSON.stringify(JSON.stringify(settings))}, true ) );`, s);
}
