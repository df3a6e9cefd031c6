// The traffic chart of the Health tab: incoming events finished, outgoing deliveries and failed
// attempts per minute (or per second when busy), over the hour, day or week, in the site's time.
import { Button } from '@wordpress/components';
import { __, sprintf } from '@wordpress/i18n';
import { TimeSeriesChart } from '../../components/Chart';
import { formatNumber, siteClock, timeTicks } from '../../components/chartScale';
import { HEALTH_RANGES as RANGES, type HealthRange as Range, type Traffic as TrafficDoc } from '../../api/client';

const RANGE_LABELS: Record<Range, string> = {
  hour: __('Hour', 'crm-bridge'),
  day: __('Day', 'crm-bridge'),
  week: __('Week', 'crm-bridge'),
};

/** Minutes between labelled ticks, and how a tick reads, per range. */
const TICKS: Record<Range, { minutes: number; format: Intl.DateTimeFormatOptions }> = {
  hour: { minutes: 10, format: { hour: '2-digit', minute: '2-digit' } },
  day: { minutes: 180, format: { hour: '2-digit', minute: '2-digit' } },
  week: { minutes: 1440, format: { weekday: 'short', day: 'numeric' } },
};

/** Above this many events a minute, rates read better per second. */
const PER_SECOND_FROM = 120;

export function Traffic({ traffic, range, onRange, disabled }: { traffic: TrafficDoc; range: Range; onRange: (range: Range) => void; disabled: boolean }) {
  const locale = document.documentElement.lang || undefined;
  const clock = siteClock(traffic.site_timezone, locale);
  const times = traffic.buckets.map((b) => Date.parse(b.at));
  const perMinute = traffic.bucket_seconds / 60;
  const peak = Math.max(0, ...traffic.buckets.map((b) => Math.max(b.incoming, b.outgoing, b.failed))) / perMinute;
  const perSecond = peak >= PER_SECOND_FROM;
  const divisor = perSecond ? traffic.bucket_seconds : perMinute;
  const rate = (key: 'incoming' | 'outgoing' | 'failed') => traffic.buckets.map((b) => b[key] / divisor);
  const ticks = TICKS[traffic.range];
  const title = sprintf(
    /* translators: 1: hour, day or week, 2: a bucket's length such as "15 min", 3: the site's time zone */
    __('Throughput over the last %1$s in buckets of %2$s, site time (%3$s)', 'crm-bridge'),
    RANGE_LABELS[traffic.range].toLowerCase(),
    bucketLabel(traffic.bucket_seconds),
    traffic.site_timezone,
  );
  return (
    <section className="crm-bridge-traffic" data-testid="traffic">
      <div className="crm-bridge-traffic-head">
        <h3>{__('Throughput', 'crm-bridge')}</h3>
        <div role="group" aria-label={__('Time range', 'crm-bridge')} className="crm-bridge-range">
          {RANGES.map((r) => (
            <Button key={r} variant="secondary" isPressed={r === range} aria-pressed={r === range} disabled={disabled} onClick={() => onRange(r)}>
              {RANGE_LABELS[r]}
            </Button>
          ))}
        </div>
      </div>
      <TimeSeriesChart
        title={title}
        times={times}
        unit={perSecond ? __('events/s', 'crm-bridge') : __('events/min', 'crm-bridge')}
        series={[
          { key: 'incoming', label: __('Incoming (from the CRM)', 'crm-bridge'), values: rate('incoming') },
          { key: 'outgoing', label: __('Outgoing (to subscribers)', 'crm-bridge'), values: rate('outgoing') },
          { key: 'failed', label: __('Failed attempts', 'crm-bridge'), values: rate('failed') },
        ]}
        xTicks={timeTicks(times, perMinute, ticks.minutes, clock.minuteOfDay).map(({ index, at }) => ({ index, label: clock.format(at, ticks.format) }))}
        formatTime={(ms) => clock.format(ms, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })}
        formatValue={(v) => formatNumber(v, locale)}
      />
    </section>
  );
}

function bucketLabel(seconds: number): string {
  return seconds % 3600 === 0 ? sprintf(__('%d h', 'crm-bridge'), seconds / 3600) : sprintf(__('%d min', 'crm-bridge'), seconds / 60);
}
