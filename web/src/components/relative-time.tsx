import { useEffect, useState } from 'react';
import { useLang, useT } from '../i18n.ts';
import { common } from '../messages.ts';

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
  const abs = at.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false });
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
