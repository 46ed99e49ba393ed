'use client';

import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { CapacityReport } from '@/lib/catalog';
import { formatBytes } from '../../../../_components/format';

/** Used and total bytes over time, drawn by uPlot into a canvas. */
export function HistoryChart({ samples }: { samples: CapacityReport['history'] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
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
        axes: [{}, { values: (_u, ticks) => ticks.map((t) => formatBytes(t)), size: 80 }],
      },
      data,
      el,
    );
    const resize = () => plot.setSize({ width: el.clientWidth, height: 240 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [samples]);
  return <div ref={box} data-testid="history-chart" className="w-full" />;
}
