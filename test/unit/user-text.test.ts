import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { table } from "../../src/cli/output.js";
import {
  displayLines,
  displayText,
  quotedUserText,
  safeFileName,
} from "../../src/domain/user-text.js";
import { contentDisposition } from "../../src/http/pdf-reply.js";

describe("displayText", () => {
  it("turns every kind of line break and control into one space", () => {
    assert.equal(
      displayText("a\nb\r\nc\td\u0085e\u2028f\u2029g\u000bh\u0000i"),
      "a b c d e f g h i",
    );
    assert.equal(displayText("  spaced \n\n  out  "), "spaced out");
  });

  it("drops bidirectional controls and invisible characters", () => {
    assert.equal(displayText("abc\u202efdp.exe"), "abcfdp.exe");
    assert.equal(displayText("\u2066x\u2069\u200e\u200f\u061c\ufeffy\u200b"), "xy");
  });

  it("keeps every script, joiners and composed characters", () => {
    assert.equal(displayText("山田 太郎"), "山田 太郎");
    assert.equal(displayText("مریم‌ها"), "مریم‌ها", "the Persian zero-width non-joiner stays");
    assert.equal(displayText("Şükrü"), "Şükrü");
    assert.equal(displayText("e\u0301"), "é", "NFC");
  });

  it("quotes user text, with the typographic quotes ours alone", () => {
    assert.equal(quotedUserText("Status:\nCOMPLETED"), "“Status: COMPLETED”");
    assert.equal(quotedUserText("Acme” Status: COMPLETED “x"), '“Acme" Status: COMPLETED "x”');
  });

  it("keeps a message's lines, and nothing else that is invisible", () => {
    assert.equal(
      displayLines("Hello,\r\n\r\n\r\n\r\nplease\u2028sign\u202e \u0000here.\n\u200b\n"),
      "Hello,\n\nplease\nsign here.",
    );
    assert.equal(displayLines("\u001b[2J\u001b]0;title\u0007ok"), "[2J ]0;title ok");
  });

  it("keeps escape sequences and line breaks out of the command line's tables", () => {
    const listed = table(["ID", "NAME"], [["acc_1", "Evil\u001b[2J\nacc_2  Fake"]]);
    assert.equal(listed.split("\n").length, 2, listed);
    assert.ok(!listed.includes("\u001b"), listed);
  });
});

describe("file names", () => {
  it("are one visible line without reserved characters or leading dots", () => {
    assert.equal(safeFileName("../..\\etc/passwd", "x"), "_.._etc_passwd");
    assert.equal(safeFileName('a:b*c?d"e<f>g|h', "x"), "a_b_c_d_e_f_g_h");
    assert.equal(safeFileName("\u202e\n ", "fallback"), "fallback");
    assert.equal([...safeFileName("é".repeat(500), "x")].length, 150);
  });

  it("reach Content-Disposition in both forms, RFC 5987 encoded", () => {
    assert.equal(
      contentDisposition("Contrat d'été (1)*.pdf"),
      "attachment; filename=\"Contrat d'_t_ (1)_.pdf\"; filename*=UTF-8''Contrat%20d%27%C3%A9t%C3%A9%20%281%29_.pdf",
    );
    assert.equal(
      contentDisposition("Offer\u202efdp.exe\n.pdf", "inline"),
      "inline; filename=\"Offerfdp.exe .pdf\"; filename*=UTF-8''Offerfdp.exe%20.pdf",
    );
  });
});
