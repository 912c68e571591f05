import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { Loaded } from '../../components/states.tsx';
import { useLang, useT } from '../../i18n.ts';
import { messages } from './messages.ts';
import { useStats, type StatsChart, type StatSeries, type StatsRange } from './use-stats.ts';
type Key = keyof typeof messages.zh;

/** The charts and the series each draws, with its colour. */
const CHARTS: { id: string; title: Key; series: { s: StatSeries; label: Key; color: string }[] }[] =
  [
    {
      id: 'pushes',
      title: 'chartPushes',
      series: [{ s: 'pushes', label: 's_pushes', color: '#07c160' }],
    },
    {
      id: 'tokens',
      title: 'chartTokens',
      series: [
        { s: 'token_refreshes', label: 's_token_refreshes', color: '#2f80ed' },
        { s: 'token_failures', label: 's_token_failures', color: '#c62828' },
      ],
    },
    {
      id: 'audits',
      title: 'chartAudits',
      series: [
        { s: 'audits_submitted', label: 's_audits_submitted', color: '#2f80ed' },
        { s: 'audits_passed', label: 's_audits_passed', color: '#07c160' },
        { s: 'audits_rejected', label: 's_audits_rejected', color: '#c62828' },
      ],
    },
    {
      id: 'webhooks',
      title: 'chartWebhooks',
      series: [
        { s: 'webhook_delivered', label: 's_webhook_delivered', color: '#07c160' },
        { s: 'webhook_failed', label: 's_webhook_failed', color: '#e39400' },
        { s: 'webhook_dead', label: 's_webhook_dead', color: '#c62828' },
      ],
    },
  ];

/** Seconds since the epoch of each step: a minute's instant, or a day's date at 00:00 UTC. */
function xsOf(chart: StatsChart): number[] {
  return chart.times.map((t) =>
    chart.step === 'day' ? Date.parse(`${t}T00:00:00Z`) / 1000 : Date.parse(t) / 1000,
  );
}

function Chart(props: {
  id: string;
  title: string;
  chart: StatsChart;
  series: { s: StatSeries; label: string; color: string }[];
  /** The legend's name of the time axis. */
  timeLabel: string;
}) {
  const { lang } = useLang();
  const { timeLabel } = props;
  const box = useRef<HTMLDivElement>(null);
  const { chart, series } = props;
  const data = useMemo(
    () => [xsOf(chart), ...series.map((x) => chart.series[x.s])] as uPlot.AlignedData,
    [chart, series],
  );

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const locale = lang === 'zh' ? 'zh-CN' : 'en-GB';
    const daily = chart.step === 'day';
    const fmt = new Intl.DateTimeFormat(
      locale,
      daily
        ? { month: 'short', day: 'numeric', timeZone: 'UTC' }
        : { hour: '2-digit', minute: '2-digit', hour12: false },
    );
    const label = (v: number | null) => (v === null ? '' : fmt.format(new Date(v * 1000)));
    const plot = new uPlot(
      {
        width: Math.max(240, el.clientWidth),
        height: 180,
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [
          {
            values: (_u, splits) => splits.map((v) => label(v)),
            stroke: '#667085',
            grid: { stroke: '#eef0f3' },
          },
          { stroke: '#667085', grid: { stroke: '#eef0f3' }, size: 44 },
        ],
        series: [
          { label: timeLabel, value: (_u, v) => label(v) },
          ...series.map((x) => ({
            label: x.label,
            stroke: x.color,
            width: 1.5,
            fill: `${x.color}1a`,
            points: { show: daily },
          })),
        ],
      },
      data,
      el,
    );
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(240, el.clientWidth), height: 180 }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [data, series, chart.step, lang, timeLabel]);

  return (
    <figure className="chart card" data-testid={`chart-${props.id}`}>
      <figcaption>
        <h3>{props.title}</h3>
        <span className="chart-totals">
          {series.map((x) => (
            <span key={x.s} data-series={x.s} style={{ borderColor: x.color }}>
              {x.label}: <b>{chart.totals[x.s]}</b>
            </span>
          ))}
        </span>
      </figcaption>
      <div ref={box} className="chart-plot" role="img" aria-label={props.title} />
    </figure>
  );
}

type ChartState = ReturnType<typeof useStats>;

function MonthCharts(props: { render: (state: ChartState) => ReactNode }) {
  return <>{props.render(useStats('30d'))}</>;
}

/**
 * What happened over the last 24 hours (by minute) or 30 days (by day). The page's own 24 h
 * read is reused; the 30 days are read when chosen.
 */
export default function StatsCharts(props: { day: ChartState }) {
  const t = useT(messages);
  const [range, setRange] = useState<StatsRange>('24h');
  const charts = useMemo(
    () =>
      CHARTS.map((c) => ({
        ...c,
        series: c.series.map((x) => ({ s: x.s, color: x.color, label: t(x.label) })),
      })),
    [t],
  );
  const draw = (state: ChartState) => (
    <Loaded state={state}>
      {(chart) => (
        <div className="charts" data-range={chart.range}>
          {charts.map((c) => (
            <Chart
              key={`${c.id}-${chart.range}`}
              id={c.id}
              title={t(c.title)}
              chart={chart}
              series={c.series}
              timeLabel={t(chart.step === 'day' ? 'day' : 'time')}
            />
          ))}
        </div>
      )}
    </Loaded>
  );
  return (
    <section className="overview-section" aria-labelledby="activity-heading">
      <div className="section-head">
        <h2 id="activity-heading">{t('activity')}</h2>
        <span className="muted">{t(range === '24h' ? 'perMinute' : 'perDay')}</span>
        <div className="segmented" role="group" aria-label={t('activity')}>
          {(['24h', '30d'] as const).map((r) => (
            <button
              key={r}
              type="button"
              aria-pressed={range === r}
              className={range === r ? 'on' : ''}
              onClick={() => setRange(r)}
            >
              {t(r === '24h' ? 'range24h' : 'range30d')}
            </button>
          ))}
        </div>
      </div>
      {range === '24h' ? draw(props.day) : <MonthCharts render={draw} />}
    </section>
  );
}
