import { useTranslation } from 'react-i18next';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { HistoryPoint } from './types';

const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** Queue depth (line) and visits delivered per minute (bars) over the last hours. */
export function QueueChart({ points }: { points: HistoryPoint[] }) {
  const { t } = useTranslation('it');
  if (points.length === 0) return <p className="hint">{t('chart.empty')}</p>;
  return (
    <figure className="it-chart" aria-label={t('chart.title')}>
      <figcaption>{t('chart.title')}</figcaption>
      <div style={{ width: '100%', height: 260 }}>
        <ResponsiveContainer>
          <ComposedChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="at" tickFormatter={time} minTickGap={24} />
            <YAxis yAxisId="depth" allowDecimals={false} />
            <YAxis yAxisId="rate" orientation="right" allowDecimals={false} />
            <Tooltip labelFormatter={(v) => time(String(v))} />
            <Legend />
            <Bar
              yAxisId="rate"
              dataKey="delivered"
              name={t('chart.delivered')}
              fill="#2e7d32"
              isAnimationActive={false}
            />
            <Line
              yAxisId="depth"
              dataKey="queueDepth"
              name={t('chart.queueDepth')}
              stroke="#0b4f8a"
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
            />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
