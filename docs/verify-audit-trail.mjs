#!/usr/bin/env node
// Checks the event chain of a Certyneo audit trail from the PDF alone, with Node.js and nothing
// else (no package, no network, no account):
//
//   node verify-audit-trail.mjs audit-trail-env_….pdf
//
// The audit trail carries its envelope's events as an embedded file, events.json, exactly as they
// were chained. Each event's hash is SHA-256 of the previous event's hash (64 zeros before the
// first), a line feed, and the canonical JSON of its fields id, envelopeId, sequence, type,
// recipientId, actorType, actorId, ip, userAgent, data and createdAt (object keys sorted at every
// depth, no spaces). This script recomputes every hash, says whether the chain holds, and prints
// its head: the last event's hash, which the trail also prints on its first page. That the PDF
// itself is unchanged since it was sealed is for a PDF reader to say (the seal covers events.json
// too): `pdfsig`, Adobe Acrobat.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { inflateSync } from "node:zlib";

const GENESIS = "0".repeat(64);
const FIELDS = [
  "id",
  "envelopeId",
  "sequence",
  "type",
  "recipientId",
  "actorType",
  "actorId",
  "ip",
  "userAgent",
  "data",
  "createdAt",
];

function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The events of the embedded file: the last stream whose dictionary says /EmbeddedFile and that
 * holds a JSON array (the last: an incremental update replaces what came before it).
 */
function embeddedEvents(pdf) {
  const text = pdf.toString("latin1");
  const type = /\/Type\s*\/EmbeddedFile\b/g;
  let events;
  for (let match = type.exec(text); match; match = type.exec(text)) {
    const objectStart = text.lastIndexOf(" obj", match.index);
    const streamKeyword = text.indexOf("stream", match.index);
    if (objectStart < 0 || streamKeyword < 0) continue;
    const dictionary = text.slice(objectStart, streamKeyword);
    let start = streamKeyword + "stream".length;
    if (text[start] === "\r") start += 1;
    if (text[start] === "\n") start += 1;
    const end = text.indexOf("endstream", start);
    let bytes = pdf.subarray(start, end);
    if (/\/FlateDecode/.test(dictionary)) bytes = inflateSync(bytes, { finishFlush: 2 });
    const body = bytes.toString("utf8").trim();
    if (body.startsWith("[")) events = JSON.parse(body);
  }
  if (events) return events;
  throw new Error("This PDF carries no events.json: is it a Certyneo audit trail?");
}

const file = process.argv[2];
if (!file) {
  console.error("usage: node verify-audit-trail.mjs audit-trail.pdf");
  process.exit(2);
}
const events = embeddedEvents(readFileSync(file));
let previous = GENESIS;
for (const [index, event] of events.entries()) {
  const content = Object.fromEntries(FIELDS.map((field) => [field, event[field]]));
  const hash = createHash("sha256")
    .update(`${previous}\n${canonical(content)}`)
    .digest("hex");
  if (event.sequence !== index + 1 || event.previousHash !== previous || event.hash !== hash) {
    console.log(`The chain breaks at event #${event.sequence ?? index + 1} (${event.id}).`);
    process.exit(1);
  }
  previous = hash;
}
const envelope = events[0]?.envelopeId ?? "(no event)";
console.log(`The chain holds: ${events.length} events of envelope ${envelope}.`);
console.log(`Chain head: ${previous}`);
