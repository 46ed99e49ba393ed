'use client';

import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { CapacityReport } from '@/lib/catalog';
import { formatBytes } from '@/app/_components/format';

/** A computed CSS colour ("rgb(71, 85, 105)" or Tailwind 4's "oklch(0.45 0.04 257)") made translucent. */
export function withAlpha(colour: string, alpha: number): string {
  const rgb = /^rgba?\(\s*([\d.]+),\s*([\d.]+),\s*([\d.]+)/.exec(colour);
  if (rgb) return `rgba(${rgb[1]}, ${rgb[2]}, ${rgb[3]}, ${alpha})`;
  const fn = /^(oklch|oklab|lab|lch|color)\(([^/)]*)/.exec(colour);
  if (fn) return `${fn[1]}(${fn[2]!.trim()} / ${alpha})`;
  return colour;
}

/** Used and total bytes over time, drawn by uPlot into a canvas. */
export function HistoryChart({ samples }: { samples: CapacityReport['history'] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    // Axis text and grid take the container's colour, read at each draw, so they follow the
    // theme (uPlot's default near-black was barely readable on the dark background).
    const ink = () => getComputedStyle(el).color;
    const faint = () => withAlpha(ink(), 0.2);
    const grid = { stroke: faint, width: 1 };
    const axis = { stroke: ink, grid, ticks: grid };
    const data: uPlot.AlignedData = [
      samples.map((s) => s.at / 1000),
      samples.map((s) => s.usedBytes),
      samples.map((s) => s.totalBytes),
    ];
    const plot = new uPlot(
      {
        width: el.clientWidth || 600,
        height: 240,
        series: [
          {},
          { label: 'Used', stroke: '#0098c3', fill: 'rgba(0,152,195,0.15)' },
          { label: 'Total', stroke: '#94a3b8', dash: [4, 4] },
        ],
        axes: [axis, { ...axis, values: (_u, ticks) => ticks.map((t) => formatBytes(t)), size: 80 }],
      },
      data,
      el,
    );
    const resize = () => plot.setSize({ width: el.clientWidth, height: 240 });
    window.addEventListener('resize', resize);
    // The theme is a class on <html>: redraw the axes when it changes.
    const themeWatch = new MutationObserver(() => plot.redraw(false, true));
    themeWatch.observe(document.documentElement, { attributes: true, attributeFilter: ['class'] });
    return () => {
      themeWatch.disconnect();
      window.removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [samples]);
  return <div ref={box} data-testid="history-chart" className="w-full text-slate-600 dark:text-slate-300" />;
}
