import { useEffect, useState } from 'react';
import { useLang, useT, type Lang } from '../i18n.ts';
import { common } from '../messages.ts';

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A date and time in the language's unambiguous form, in the browser's time zone: 2026-12-04 19:05
 * in Chinese, 4 Dec 2026, 19:05 in English (never 04/12/2026, which reads two ways).
 */
export function formatDateTime(at: Date, lang: Lang, opts: { time?: boolean } = {}): string {
  const time = opts.time === false ? '' : ` ${pad(at.getHours())}:${pad(at.getMinutes())}`;
  if (lang === 'zh') {
    return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}${time}`;
  }
  const month = at.toLocaleString('en-GB', { month: 'short' });
  return `${at.getDate()} ${month} ${at.getFullYear()}${time ? `,${time}` : ''}`;
}

/** A time shown relative ("3 分钟前", "in 2 h") with the absolute time beside it and on hover. */
export function RelativeTime(props: { at: string | null | undefined; absolute?: boolean }) {
  const t = useT(common);
  const { lang } = useLang();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  if (!props.at) return <span className="time muted">{t('never')}</span>;
  const at = new Date(props.at);
  const abs = formatDateTime(at, lang);
  const diff = Math.round((at.getTime() - now) / 1000);
  const n = Math.abs(diff);
  const future = diff > 0;
  let rel: string;
  if (n < 10) rel = t('justNow');
  else if (n < 60) rel = t(future ? 'inSeconds' : 'secondsAgo', { n });
  else if (n < 3600) rel = t(future ? 'inMinutes' : 'minutesAgo', { n: Math.round(n / 60) });
  else if (n < 86400) rel = t(future ? 'inHours' : 'hoursAgo', { n: Math.round(n / 3600) });
  else rel = t(future ? 'inDays' : 'daysAgo', { n: Math.round(n / 86400) });
  return (
    <time className="time" dateTime={props.at} title={abs}>
      {rel}
      {props.absolute === false ? null : <span className="muted"> · {abs}</span>}
    </time>
  );
}
