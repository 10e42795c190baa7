import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  canonicalJson,
  chainHash,
  findChainBreak,
  GENESIS_HASH,
} from "../../src/domain/event-chain.js";
import { autoSignaturePlacement, checkFieldPlacement } from "../../src/domain/fields.js";
import { currentStage, type RoutedRecipient } from "../../src/domain/recipients.js";

const r = (
  id: string,
  role: RoutedRecipient["role"],
  order: number,
  status: RoutedRecipient["status"] = "PENDING",
) => ({
  id,
  role,
  order,
  status,
});

describe("routing", () => {
  const recipients = [
    r("a", "SIGNER", 1),
    r("b", "APPROVER", 2),
    r("c", "SIGNER", 2),
    r("d", "CC", 1),
    r("e", "SIGNER", 3),
  ];

  it("invites every signer and approver at once in parallel, never a CC", () => {
    assert.deepEqual(
      currentStage(recipients, "parallel").map((x) => x.id),
      ["a", "b", "c", "e"],
    );
  });

  it("invites the lowest order first in sequence; equal orders form one stage", () => {
    assert.deepEqual(
      currentStage(recipients, "sequential").map((x) => x.id),
      ["a"],
    );
    const afterA = recipients.map((x) => (x.id === "a" ? { ...x, status: "SIGNED" as const } : x));
    assert.deepEqual(
      currentStage(afterA, "sequential").map((x) => x.id),
      ["b", "c"],
    );
    const afterB = afterA.map((x) => (x.id === "b" ? { ...x, status: "APPROVED" as const } : x));
    assert.deepEqual(
      currentStage(afterB, "sequential").map((x) => x.id),
      ["c"],
    );
    const afterC = afterB.map((x) => (x.id === "c" ? { ...x, status: "SIGNED" as const } : x));
    assert.deepEqual(
      currentStage(afterC, "sequential").map((x) => x.id),
      ["e"],
    );
    const done = afterC.map((x) => (x.id === "e" ? { ...x, status: "SIGNED" as const } : x));
    assert.deepEqual(currentStage(done, "sequential"), []);
  });
});

describe("field placement", () => {
  const pages = new Map([
    [
      "doc_a",
      [
        { width: 595.28, height: 841.89 },
        { width: 842, height: 595 },
      ],
    ],
  ]);
  const field = {
    type: "signature" as const,
    documentId: "doc_a",
    page: 1,
    x: 72,
    y: 650,
    width: 170,
    height: 60,
  };

  it("accepts a field inside its page, up to the edge", () => {
    checkFieldPlacement(field, pages, "f");
    checkFieldPlacement({ ...field, page: 2, x: 842 - 170, y: 595 - 60 }, pages, "f");
  });

  it("names the parameter of a misplaced field", () => {
    const cases: [object, string, string][] = [
      [{ x: 500 }, "field_outside_page", "f"],
      [{ y: 800 }, "field_outside_page", "f"],
      [{ page: 3 }, "field_page_out_of_range", "f.page"],
      [{ documentId: "doc_b" }, "field_document_not_in_envelope", "f.documentId"],
    ];
    for (const [change, code, param] of cases) {
      assert.throws(
        () => checkFieldPlacement({ ...field, ...change }, pages, "f"),
        (e: any) => e.code === code && e.param === param && e.kind === "unprocessable",
      );
    }
  });

  it("stacks automatic signatures without overlap, all on the last page", () => {
    const sizes = pages.get("doc_a")!;
    const placed = Array.from({ length: 12 }, (_, slot) =>
      autoSignaturePlacement("doc_a", sizes, slot),
    );
    for (const p of placed) {
      assert.equal(p.page, 2);
      checkFieldPlacement(p, pages, "auto");
    }
    for (let i = 0; i < placed.length; i++) {
      for (let j = i + 1; j < placed.length; j++) {
        const a = placed[i]!;
        const b = placed[j]!;
        const overlap =
          a.x < b.x + b.width &&
          b.x < a.x + a.width &&
          a.y < b.y + b.height &&
          b.y < a.y + a.height;
        assert.ok(!overlap, `slots ${i} and ${j} overlap`);
      }
    }
  });
});

describe("event chain", () => {
  const event = (sequence: number) => ({
    id: `evt_${sequence}`,
    envelopeId: "env_1",
    sequence,
    type: "envelope.created",
    recipientId: null,
    actorType: "system",
    actorId: null,
    ip: null,
    userAgent: null,
    data: { b: 1, a: [2, { d: 3, c: 4 }] },
    createdAt: "2026-11-28T10:00:00.000Z",
  });

  it("serialises canonically", () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } }),
      '{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}',
    );
  });

  it("detects any change, removal or reordering", () => {
    const chain = [];
    let previous = GENESIS_HASH;
    for (let i = 1; i <= 3; i++) {
      const hash = chainHash(previous, event(i));
      chain.push({ ...event(i), previousHash: previous, hash });
      previous = hash;
    }
    assert.equal(findChainBreak(chain), undefined);
    assert.equal(findChainBreak([chain[0]!, { ...chain[1]!, ip: "10.0.0.1" }, chain[2]!]), 2);
    assert.equal(findChainBreak([chain[0]!, chain[2]!]), 3);
    assert.equal(findChainBreak([{ ...chain[0]!, data: {} }, chain[1]!, chain[2]!]), 1);
  });
});
