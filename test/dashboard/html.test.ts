import { describe, expect, it } from "vitest";
import { escapeHtml, html, raw } from "../../local/dashboard/html.ts";

describe("html", () => {
  it("escapes every interpolated value, in text and in attributes", () => {
    const evil = `"><script>alert('x')</script>&\``;
    const out = html`<a title="${evil}">${evil}</a>`.value;
    expect(out).toBe(
      '<a title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&#96;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&#96;</a>',
    );
    expect(escapeHtml("a<b")).toBe("a&lt;b");
  });

  it("keeps nested markup built by html or raw, joins arrays and drops null, undefined and false", () => {
    const items = ["<1>", "2"].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}${raw("<hr>")}`.value).toBe(
      "<ul><li>&lt;1&gt;</li><li>2</li></ul>0<hr>",
    );
  });
});
