// Times the log stores in UTC ("Y-m-d H:i:s", or ISO 8601) shown in the site's time zone (Settings >
// General), the zone the Health chart uses too; the UTC text goes in a title for hover.
import { siteClock } from '../../components/chartScale';

export type LocalTime = (utc: string) => string;

/** A formatter of UTC times into the site's time zone. */
export function localTimeIn(timeZone: string): LocalTime {
  const clock = siteClock(timeZone);
  return (utc) => clock.format(Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(utc) ? utc : `${utc.replace(' ', 'T')}Z`), { dateStyle: 'medium', timeStyle: 'medium' });
}
