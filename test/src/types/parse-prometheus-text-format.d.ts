/** parse-prometheus-text-format ships no types: the shape it returns, as far as the tests read it. */
declare module 'parse-prometheus-text-format' {
  function parsePrometheusTextFormat(text: string): parsePrometheusTextFormat.MetricFamily[];
  namespace parsePrometheusTextFormat {
    interface Sample {
      readonly labels?: Record<string, string>;
      /** Counters and gauges. */
      readonly value?: string;
      /** Histograms and summaries. */
      readonly count?: string;
      readonly sum?: string;
      readonly buckets?: Record<string, string>;
    }
    interface MetricFamily {
      readonly name: string;
      readonly help: string;
      readonly type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
      readonly metrics: readonly Sample[];
    }
  }
  export = parsePrometheusTextFormat;
}
