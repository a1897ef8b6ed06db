// The Groups page's rule editor in the browser, on the demo organisation: dialect choice,
// highlighting, a parse error marked where it is, lint warnings, the live preview with a user's
// explanation, creating a rule group and changing its rule. Every wait is on a selector.
import { expect } from 'vitest'
import { e2eTest as test } from '../helpers/e2e'

test.describe('the rule editor', () => {
  test('writes an Okta rule: error at its position, lint, preview, explanation, then creates the group', async ({
    page,
  }) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Groups', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'Groups', exact: true }).waitFor()
    await page.getByRole('button', { name: 'New rule group' }).click()
    const editor = page.getByLabel('Rule editor')
    await editor.getByLabel('Group name').fill('Sales (Okta)')
    await editor.getByLabel('Dialect').selectOption('okta')
    const rule = editor.getByRole('textbox', { name: 'Rule' })

    await rule.fill('user.department = "Sales"')
    const error = editor.getByRole('alert')
    await error.filter({ hasText: 'Line 1, column 17' }).waitFor()
    expect(await error.textContent()).toContain('Hint: Use == instead.')
    expect(await editor.getByTestId('rule-error-at').textContent()).toBe('=')
    expect(await editor.locator('.tok-attribute').first().textContent()).toBe('user')
    expect(await editor.getByRole('button', { name: 'Create group' }).isDisabled()).toBe(true)

    await rule.fill('user.department == "sales"')
    const warnings = editor.getByRole('list', { name: 'Lint warnings' })
    await warnings.filter({ hasText: 'differs from it only by case' }).waitFor()
    await warnings.filter({ hasText: 'No synced user satisfies' }).waitFor()

    await rule.fill('user.department == "Sales" AND user.city == "Seattle"')
    const preview = editor.getByRole('region', { name: 'Preview' })
    await preview.getByRole('heading', { name: /^Preview: \d+ members, \d+ unknown of 320 users$/ }).waitFor()
    await preview.getByRole('button', { name: 'Alex Morgan' }).click()
    const explanation = editor.getByRole('region', { name: 'Explanation' })
    await explanation.getByRole('heading', { name: 'Why the rule is true for this user' }).waitFor()
    expect(await explanation.getByRole('list', { name: 'Clauses' }).textContent()).toContain('user.city == "Seattle"')

    // A user the rule leaves out can be explained too.
    const explainFor = editor.getByRole('form', { name: 'Explain for a user' })
    await explainFor.getByLabel('User principal name').fill('fleur.obrien@northwind.example')
    await explainFor.getByRole('button', { name: 'Explain' }).click()
    await explanation.getByRole('heading', { name: 'Why the rule is false for this user' }).waitFor()
    expect(await explanation.getByRole('list', { name: 'Clauses' }).textContent()).toContain('Osaka')

    await editor.getByRole('button', { name: 'Create group' }).click()
    await page.getByRole('heading', { level: 1, name: 'Sales (Okta)' }).waitFor()
    // The table is there at once with a loading row; its members arrive after.
    await page
      .getByRole('table', { name: 'Members', exact: true })
      .getByRole('cell', { name: 'alex.morgan@northwind.example' })
      .waitFor()
  })

  test('changes the group to a Google rule, which re-evaluates its members', async ({ page, problems }) => {
    await page.getByRole('button', { name: 'Edit rule' }).click()
    const editor = page.getByLabel('Rule editor')
    await editor.getByLabel('Dialect').selectOption('google')
    await editor.getByRole('textbox', { name: 'Rule' }).fill("user.department == 'Marketing'")
    await editor
      .getByRole('region', { name: 'Preview' })
      .getByRole('heading', { name: /^Preview: \d+ members/ })
      .waitFor()
    await editor.getByRole('button', { name: 'Preview impact' }).click()
    await editor.getByText(/^Changing the rule of Sales \(Okta\)/).waitFor()
    await editor.getByRole('button', { name: 'Save rule' }).click()
    await editor.getByText('Saved; memberships re-evaluated and devices redeployed.').waitFor()
    const members = page.getByRole('table', { name: 'Members', exact: true })
    await members.filter({ hasNotText: 'alex.morgan@northwind.example' }).waitFor()
    expect(problems).toEqual([])
  })
})
