/**
 * Rows of cells as a plain-text table, as `kubectl get` prints one: each column as wide as its
 * widest cell, two spaces between columns, no trailing spaces, one line per row.
 */
export function textTable(rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] ?? []).map((_, column) =>
    Math.max(...rows.map((cells) => (cells[column] ?? "").length)),
  );
  return rows
    .map(
      (cells) =>
        cells
          .map((cell, column) => cell.padEnd(widths[column]!))
          .join("  ")
          .trimEnd() + "\n",
    )
    .join("");
}
