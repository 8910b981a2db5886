import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { maskName } from "./domain-lookup.js";

test("a name keeps the first and last character of each word, the middle masked", () => {
  assert.equal(maskName("김민지"), "김*지");
  assert.equal(maskName("홍길동"), "홍*동");
  assert.equal(maskName("남궁민수"), "남**수");
  assert.equal(maskName("Kim Minji"), "K*m M***i");
});

test("a two-character word shows only its first, a one-character word nothing", () => {
  assert.equal(maskName("이수"), "이*");
  assert.equal(maskName("김"), "*");
  assert.equal(maskName("Jo Lee"), "J* L*e");
  assert.equal(maskName("A B"), "* *");
});

test("whitespace is kept as it is, and a character beyond the BMP counts as one", () => {
  assert.equal(maskName("  Kim\u3000Minji\t"), "  K*m\u3000M***i\t");
  // 𠀋 and 😀 are surrogate pairs in UTF-16: kept or masked whole, never split.
  assert.equal(maskName("𠀋민😀"), "𠀋*😀");
  assert.equal(maskName("😀😀"), "😀*");
  assert.equal(maskName("😀"), "*");
});

const whitespace = /^\s$/u;
const codePoint = fc.oneof(
  fc.constantFrom(" ", "\t", "\u3000", "김", "민", "지", "😀", "𠀋", "*"),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
);

/** The [start, end) code-point ranges of the words (runs of non-whitespace). */
function words(chars: readonly string[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  chars.forEach((c, i) => {
    if (whitespace.test(c)) return;
    const last = out[out.length - 1];
    if (last && last[1] === i) last[1] = i + 1;
    else out.push([i, i + 1]);
  });
  return out;
}

test("a masked name has the name's code points, reveals at most each word's first and last, and keeps whitespace", () => {
  fc.assert(
    fc.property(fc.array(codePoint, { maxLength: 30 }), (parts) => {
      const name = parts.join("");
      const chars = Array.from(name);
      const masked = Array.from(maskName(name));
      assert.equal(masked.length, chars.length);
      assert.doesNotMatch(maskName(name), /\p{Cs}/u, "no lone surrogate");
      const revealable = new Set<number>();
      for (const [start, end] of words(chars)) {
        if (end - start >= 2) revealable.add(start);
        if (end - start >= 3) revealable.add(end - 1);
      }
      chars.forEach((c, i) => {
        if (whitespace.test(c)) assert.equal(masked[i], c, "whitespace is kept");
        else if (revealable.has(i)) assert.equal(masked[i], c);
        else assert.equal(masked[i], "*", `position ${i} of ${JSON.stringify(name)} is masked`);
      });
    }),
  );
});
