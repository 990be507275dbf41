/**
 * Types for the parts of hpack.js 2.1.6 (npm, indutny/hpack.js, no types of its own) that
 * header-block-codec.ts (and the tests' Go-wire client) use: the documented compressor/decompressor
 * streams and the Huffman code table. Strings are "binary": one char per octet.
 */
declare module 'hpack.js' {
  interface HpackTableOptions {
    /** The table's protocol maximum (SETTINGS_HEADER_TABLE_SIZE). Required: the README's `size` key is ignored. */
    maxSize: number;
  }
  interface HpackHeader {
    name: string;
    value: string;
    neverIndex?: boolean;
    /** Compressor: add to the dynamic table (default true). */
    incremental?: boolean;
    /** Compressor: Huffman-code the strings (default true). */
    huffman?: boolean;
  }
  interface Decompressor {
    write(block: Buffer): boolean;
    execute(): void;
    read(): HpackHeader | null;
    once(event: 'error', listener: (err: Error) => void): this;
    removeListener(event: 'error', listener: (err: Error) => void): this;
  }
  interface Compressor {
    write(headers: HpackHeader[]): boolean;
    read(): Buffer | null;
  }
  /** RFC 7541 Appendix B: `encode[octet]` = [bit length, code]. */
  export const huffman: { encode: ReadonlyArray<readonly [number, number]> };
  export const decompressor: { create(options: { table: HpackTableOptions }): Decompressor };
  export const compressor: { create(options: { table: HpackTableOptions }): Compressor };
}
