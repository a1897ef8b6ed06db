import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { type Column, Table } from '../../../src/renderer/components/Table'

interface Row {
  id: string
  name: string
  count: number
}

const COLUMNS: Column[] = ['Name', { header: 'Count', numeric: true }]

const render = (items: Row[], empty?: string) =>
  renderToStaticMarkup(
    createElement(Table<Row>, {
      label: 'Things',
      columns: COLUMNS,
      items,
      itemKey: r => r.id,
      empty,
      // biome-ignore lint/correctness/noChildrenProp: a render function, which createElement's child arguments cannot type
      children: r => createElement('tr', null, createElement('td', null, r.name), createElement('td', null, r.count)),
    }),
  )

describe('the list table', () => {
  it('names the table and heads each column, numeric ones right-aligned', () => {
    expect(render([])).toContain(
      '<table aria-label="Things"><thead><tr><th scope="col">Name</th><th scope="col" class="num">Count</th></tr></thead>',
    )
  })

  it('says why it is empty in one row spanning every column', () => {
    expect(render([], 'Nothing yet.')).toContain(
      '<tbody><tr><td colSpan="2" class="empty">Nothing yet.</td></tr></tbody>',
    )
  })

  it('has an empty body when it has no items and nothing to say', () => {
    expect(render([])).toContain('<tbody></tbody>')
  })

  it('renders one row per item, in order, and no empty row', () => {
    const html = render(
      [
        { id: 'a', name: 'Alpha', count: 1 },
        { id: 'b', name: 'Beta', count: 2 },
      ],
      'Nothing yet.',
    )
    expect(html).toContain('<tbody><tr><td>Alpha</td><td>1</td></tr><tr><td>Beta</td><td>2</td></tr></tbody>')
    expect(html).not.toContain('Nothing yet.')
  })

  it('renders a long virtual table as the first screenful between spacer rows that keep its height', () => {
    const items = Array.from({ length: 10_000 }, (_, i) => ({ id: `r${i}`, name: `Row ${i}`, count: i }))
    const html = renderToStaticMarkup(
      createElement(Table<Row>, {
        label: 'Things',
        columns: COLUMNS,
        items,
        itemKey: r => r.id,
        virtual: { height: 400, rowHeight: 40 },
        // biome-ignore lint/correctness/noChildrenProp: a render function, which createElement's child arguments cannot type
        children: r => createElement('tr', null, createElement('td', null, r.name), createElement('td', null, r.count)),
      }),
    )
    const rows = html.match(/<td>Row \d+<\/td>/g) ?? []
    // Ten rows fill 400 px; the virtualizer adds its overscan after them.
    expect(rows.length).toBeGreaterThanOrEqual(10)
    expect(rows.length).toBeLessThan(30)
    expect(rows[0]).toBe('<td>Row 0</td>')
    expect(html).toContain('aria-rowcount="10001"')
    expect(html).toContain(`height:${(10_000 - rows.length) * 40}px`)
    expect(html).toContain('class="table-scroll" style="max-height:400px"')
  })

  it('heads a sortable column with a button that says its order', () => {
    const html = renderToStaticMarkup(
      createElement(Table<Row>, {
        label: 'Things',
        columns: [{ header: 'Name', sort: 'name' }, { header: 'Count', numeric: true, sort: 'count' }, 'Other'],
        items: [],
        itemKey: r => r.id,
        sort: { key: 'count', dir: 'desc', onSort: () => {} },
        // biome-ignore lint/correctness/noChildrenProp: a render function, which createElement's child arguments cannot type
        children: () => null,
      }),
    )
    expect(html).toContain('<th scope="col" aria-sort="none"><button type="button" class="sort-button">Name')
    expect(html).toContain(
      '<th scope="col" class="num" aria-sort="descending"><button type="button" class="sort-button">Count',
    )
    expect(html).toContain('<th scope="col">Other</th>')
  })
})
