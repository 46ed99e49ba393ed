// The package ships no types: the shape it returns (metric families with string values and labels).
declare module 'parse-prometheus-text-format' {
  export type PrometheusSample = { value?: string; labels?: Record<string, string>; timestamp_ms?: string };
  export type PrometheusFamily = {
    name: string;
    help: string;
    type: 'GAUGE' | 'COUNTER' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
    metrics: PrometheusSample[];
  };
  export default function parsePrometheusTextFormat(text: string): PrometheusFamily[];
}
