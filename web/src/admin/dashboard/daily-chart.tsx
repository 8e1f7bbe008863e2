import {
  Bar,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatMoney, toMajorUnits } from '../../ui';

export interface DailyPoint {
  date: string;
  orders: number;
  revenue: number;
}

const shortDay = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  timeZone: 'UTC',
});
const dayLabel = (date: string) => shortDay.format(new Date(`${date}T00:00:00Z`));

/** Orders (bars) and revenue (line) per UTC day; the figures also exist as a table below it. */
export function DailyChart({ daily, currency }: { daily: DailyPoint[]; currency: string }) {
  const data = daily.map((d) => ({ ...d, revenueMajor: toMajorUnits(d.revenue, currency) }));
  return (
    <div className="h-72 w-full" aria-hidden="true">
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart
          data={data}
          accessibilityLayer={false}
          margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
        >
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
          <XAxis
            dataKey="date"
            tickFormatter={dayLabel}
            tick={{ fontSize: 12, fill: '#475569' }}
            minTickGap={16}
          />
          <YAxis
            yAxisId="orders"
            allowDecimals={false}
            width={32}
            tick={{ fontSize: 12, fill: '#475569' }}
          />
          <YAxis
            yAxisId="revenue"
            orientation="right"
            width={56}
            tick={{ fontSize: 12, fill: '#475569' }}
            tickFormatter={(v: number) =>
              formatMoney(Math.round(v * 10 ** decimals(currency)), currency).replace(/\.00$/, '')
            }
          />
          <Tooltip
            labelFormatter={(label) => (typeof label === 'string' ? dayLabel(label) : '')}
            formatter={(value, name) =>
              name === 'Revenue'
                ? formatMoney(Math.round(Number(value) * 10 ** decimals(currency)), currency)
                : String(value)
            }
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Bar
            yAxisId="orders"
            dataKey="orders"
            name="Orders"
            isAnimationActive={false}
            fill="#818cf8"
            radius={[3, 3, 0, 0]}
          />
          <Line
            yAxisId="revenue"
            dataKey="revenueMajor"
            name="Revenue"
            isAnimationActive={false}
            stroke="#059669"
            strokeWidth={2}
            dot={false}
            type="monotone"
          />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}

function decimals(currency: string): number {
  return Math.round(Math.log10(1 / toMajorUnits(1, currency)));
}
