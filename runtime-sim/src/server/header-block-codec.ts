/**
 * HPACK (RFC 7541) for the front door, on the hpack.js library: decoding a client's header blocks in
 * connection order (its encoder's dynamic table is connection state, §2.3.2), and encoding header
 * lists that leave the receiver's dynamic table untouched.
 */
import * as hpack from 'hpack.js';
import { DEFAULT_HEADER_TABLE_SIZE_BYTES } from './http2-frame';

/** A header field as HPACK carries it: names and values as binary strings (one char per octet). */
export interface HeaderField {
  readonly name: string;
  readonly value: string;
}

/** A header block that does not decode (an HPACK COMPRESSION_ERROR, RFC 9113 §4.3). */
export class HeaderBlockError extends Error {
  override readonly name = 'HeaderBlockError';
}

/**
 * Decodes one direction of a connection: every header block of that direction must go through the
 * same decoder, in order, or indexed references resolve against the wrong table. Unusable after an error.
 */
export class HeaderBlockDecoder {
  private readonly decompressor: ReturnType<typeof hpack.decompressor.create>;
  private failed: Error | undefined;

  /** `maxTableSizeBytes`: the SETTINGS_HEADER_TABLE_SIZE the receiving server advertised. */
  constructor(maxTableSizeBytes = DEFAULT_HEADER_TABLE_SIZE_BYTES) {
    this.decompressor = hpack.decompressor.create({ table: { maxSize: maxTableSizeBytes } });
  }

  decode(block: Buffer): HeaderField[] {
    if (this.failed !== undefined) throw new HeaderBlockError(`header decoder failed earlier: ${this.failed.message}`);
    const onError = (err: Error): void => {
      this.failed = err;
    };
    this.decompressor.once('error', onError);
    const fields: HeaderField[] = [];
    try {
      this.decompressor.write(block);
      this.decompressor.execute();
      for (let field = this.decompressor.read(); field !== null; field = this.decompressor.read()) {
        fields.push({ name: field.name, value: field.value });
      }
    } catch (err) {
      this.failed = err as Error;
    } finally {
      this.decompressor.removeListener('error', onError);
    }
    if (this.failed !== undefined) throw new HeaderBlockError(`cannot decode header block: ${this.failed.message}`);
    return fields;
  }
}

let staticOnlyCompressor: ReturnType<typeof hpack.compressor.create> | undefined;

/**
 * Encodes a header list without the dynamic table: a static-table index where name and value match,
 * else a literal without indexing (RFC 7541 §6.1, §6.2.2) with a static name index where one exists;
 * no Huffman coding. The receiver's dynamic table never changes, so blocks encoded here can follow
 * one another in any mix with nothing to keep in step.
 */
export function encodeWithoutIndexing(fields: readonly HeaderField[]): Buffer {
  // Stateless (nothing is ever added to its table) and synchronous, so one serves every connection.
  staticOnlyCompressor ??= hpack.compressor.create({ table: { maxSize: 0 } });
  const compressor = staticOnlyCompressor;
  compressor.write(fields.map((f) => ({ name: f.name, value: f.value, incremental: false, huffman: false })));
  return compressor.read() ?? Buffer.alloc(0);
}
