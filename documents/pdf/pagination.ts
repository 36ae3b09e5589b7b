/**
 * Page breaking for the ordonnance body, independent of pdfkit: blocks come with their measured
 * height; the result says on which page and at which offset each block is drawn.
 */

export interface Measured<T> {
  block: T;
  height: number;
  /** Must stay on the same page as the next entry (a heading with its first line). */
  keepWithNext: boolean;
  /** Printed again above this entry when it opens a continuation page ("Médicaments (suite)"). */
  repeatAbove: ReadonlyArray<{ block: T; height: number }>;
}

export interface Placed<T> {
  block: T;
  /** Offset from the top of the page's body area. */
  top: number;
  height: number;
}

export interface BodyFrame {
  firstPageHeight: number;
  otherPagesHeight: number;
}

/**
 * Greedy fill: an entry (with the entries it is kept with) goes on the current page if it fits,
 * otherwise it opens a new page below its repeated headers. An entry taller than a whole page is
 * placed anyway on a page of its own; the renderer clips it to the body area.
 */
export function paginate<T>(entries: ReadonlyArray<Measured<T>>, frame: BodyFrame): Array<Array<Placed<T>>> {
  const pages: Array<Array<Placed<T>>> = [[]];
  let capacity = frame.firstPageHeight;
  let page = pages[0]!;
  let y = 0;
  entries.forEach((entry, index) => {
    if (y + keptTogetherHeight(entries, index) > capacity && page.length > 0) {
      page = [];
      pages.push(page);
      capacity = frame.otherPagesHeight;
      y = 0;
      for (const header of entry.repeatAbove) {
        page.push({ block: header.block, top: y, height: header.height });
        y += header.height;
      }
    }
    page.push({ block: entry.block, top: y, height: entry.height });
    y += entry.height;
  });
  return pages;
}

function keptTogetherHeight<T>(entries: ReadonlyArray<Measured<T>>, from: number): number {
  let height = 0;
  for (let i = from; i < entries.length; i++) {
    height += entries[i]!.height;
    if (!entries[i]!.keepWithNext) break;
  }
  return height;
}
