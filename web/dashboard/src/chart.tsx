/**
 * A uPlot chart in a figure: time on x, one or more series, lines or bars. Colours come from the page's CSS
 * variables, so the chart follows the light or dark theme; it is redrawn when the theme or the width changes.
 * The figure carries a text summary for screen readers (canvas has no text of its own).
 */
import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** A CSS variable holding the colour, e.g. '--c-completed'. */
  color: string;
  bars?: boolean;
  /** Draw as a dashed line (a limit, a threshold). */
  dashed?: boolean;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export function Chart(props: { title: string; summary: string; x: number[]; series: ChartSeries[]; height?: number; yLabel?: string }): JSX.Element {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const { x, series } = props;

  useEffect(() => {
    const el = host.current;
    if (el === null) return;
    const build = () => {
      plot.current?.destroy();
      const axis = { stroke: cssVar('--fg-muted'), grid: { stroke: cssVar('--grid'), width: 1 }, ticks: { stroke: cssVar('--grid') } };
      const bars = uPlot.paths.bars?.({ size: [0.9, 12] });
      plot.current = new uPlot(
        {
          width: Math.max(280, el.clientWidth),
          height: props.height ?? 220,
          cursor: { drag: { x: false, y: false } },
          legend: { show: true },
          scales: { x: { time: true } },
          axes: [axis, { ...axis, label: props.yLabel, size: 60 }],
          series: [
            { label: 'time', value: (_u, v) => (v === null ? '—' : new Date(v * 1000).toLocaleString(undefined, { hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'short' })) },
            ...series.map((s) => ({
              label: s.label,
              stroke: cssVar(s.color),
              fill: s.bars ? cssVar(s.color) : undefined,
              width: s.bars ? 0 : 2,
              dash: s.dashed ? [6, 4] : undefined,
              paths: s.bars ? bars : undefined,
              points: { show: false },
              spanGaps: false,
            })),
          ],
        },
        [x.map((ms) => ms / 1000), ...series.map((s) => s.values)] as uPlot.AlignedData,
        el,
      );
    };
    build();
    const scheme = matchMedia('(prefers-color-scheme: dark)');
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(280, el.clientWidth), height: props.height ?? 220 }));
    resize.observe(el);
    scheme.addEventListener('change', build);
    return () => {
      scheme.removeEventListener('change', build);
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [x, series, props.height, props.yLabel]);

  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={host} role="img" aria-label={`${props.title}: ${props.summary}`} />
    </figure>
  );
}
