// Types for the two small parsers we use; neither ships its own.
declare module 'spf-parse' {
  interface SpfMechanism {
    prefix?: string;
    prefixdesc?: string;
    type?: string;
    value?: string;
  }
  interface SpfResult {
    mechanisms: SpfMechanism[];
    messages?: { message: string; type: 'error' | 'warning' }[];
    valid: boolean;
  }
  function parse(record: string): SpfResult;
  export = parse;
}

declare module 'dmarc-parse' {
  interface DmarcResult {
    tags: Record<string, { value: string; description?: string }>;
    messages?: string[];
  }
  function parse(record: string): DmarcResult;
  export = parse;
}
