// One package's rpm header as rpmdb keeps it (rpm's "header blob", without the lead magic): a count of
// index entries and the data length, both 32-bit big-endian; then 16-byte entries (tag, type, offset,
// count); then the data store. Every offset and length is checked against the blob: it is untrusted.
import type { InstalledPackage } from '../core/installed-packages.js';
import { formatRpmVersion } from '../core/rpm-version.js';

const TAG_NAME = 1000;
const TAG_VERSION = 1001;
const TAG_RELEASE = 1002;
const TAG_EPOCH = 1003;
const TAG_ARCH = 1022;

const TYPE_INT32 = 4;
const TYPE_STRING = 6;
/** rpm refuses headers with more entries than this (HEADER_TAGS_MAX). */
const MAX_ENTRIES = 0xffff;
const ENTRY_BYTES = 16;

interface Entry {
  readonly type: number;
  readonly offset: number;
  readonly count: number;
}

/** The package a header describes; throws saying what is wrong with a header that does not hold one. */
export function packageOfHeader(blob: Uint8Array): InstalledPackage {
  if (blob.length < 8) throw new Error(`header is ${blob.length} bytes, shorter than its 8-byte preamble`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const entries = view.getUint32(0);
  const dataLength = view.getUint32(4);
  if (entries < 1 || entries > MAX_ENTRIES) throw new Error(`header says ${entries} index entries`);
  const dataStart = 8 + entries * ENTRY_BYTES;
  if (dataStart + dataLength !== blob.length)
    throw new Error(
      `header says ${entries} entries and ${dataLength} data bytes, but the blob is ${blob.length} bytes`,
    );
  const wanted = new Map<number, Entry>();
  for (let k = 0; k < entries; k++) {
    const at = 8 + k * ENTRY_BYTES;
    const tag = view.getUint32(at);
    if (
      tag === TAG_NAME ||
      tag === TAG_VERSION ||
      tag === TAG_RELEASE ||
      tag === TAG_EPOCH ||
      tag === TAG_ARCH
    )
      wanted.set(tag, {
        type: view.getUint32(at + 4),
        offset: view.getUint32(at + 8),
        count: view.getUint32(at + 12),
      });
  }
  const data = blob.subarray(dataStart);
  const text = (tag: number) => {
    const entry = wanted.get(tag);
    return entry === undefined ? undefined : stringAt(data, entry, tag);
  };
  const name = text(TAG_NAME);
  const version = text(TAG_VERSION);
  if (name === undefined || name === '') throw new Error('header has no NAME');
  if (version === undefined) throw new Error(`header of ${name} has no VERSION`);
  const epochEntry = wanted.get(TAG_EPOCH);
  const epoch = epochEntry === undefined ? undefined : int32At(data, epochEntry, TAG_EPOCH);
  const architecture = text(TAG_ARCH);
  return {
    name,
    version: formatRpmVersion(epoch, version, text(TAG_RELEASE) ?? ''),
    ...(architecture !== undefined && { architecture }),
  };
}

function stringAt(data: Uint8Array, entry: Entry, tag: number): string {
  if (entry.type !== TYPE_STRING) throw new Error(`tag ${tag} has type ${entry.type}, expected a string`);
  if (entry.offset >= data.length) throw new Error(`tag ${tag} points past the header's data`);
  const end = data.indexOf(0, entry.offset);
  if (end < 0) throw new Error(`tag ${tag} is not terminated inside the header's data`);
  return new TextDecoder('utf-8', { fatal: false }).decode(data.subarray(entry.offset, end));
}

function int32At(data: Uint8Array, entry: Entry, tag: number): number {
  if (entry.type !== TYPE_INT32 || entry.count < 1)
    throw new Error(`tag ${tag} has type ${entry.type} and count ${entry.count}, expected one int32`);
  if (entry.offset % 4 !== 0 || entry.offset + 4 > data.length)
    throw new Error(`tag ${tag} points outside the header's data`);
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(entry.offset);
}
