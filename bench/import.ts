// The file directory's parser on a 100,000-user export, CSV and JSON.
import { performance } from 'node:perf_hooks'
import { parseUserFile } from '../src/main/directories'

const USERS = 100_000

function bestOfThree(format: 'csv' | 'json', content: string): number {
  let best = Infinity
  for (let run = 0; run < 3; run++) {
    const started = performance.now()
    const result = parseUserFile(format, content)
    best = Math.min(best, performance.now() - started)
    if (!result.ok || result.users.length !== USERS) throw new Error(`the ${format} benchmark file did not parse`)
  }
  return Math.round(best * 10) / 10
}

export async function importSuite(): Promise<{ name: string; value: number; unit: string }[]> {
  const rows = ['id,userPrincipalName,displayName,department,jobTitle,country,usageLocation,city,accountEnabled,groups']
  const records = []
  for (let i = 0; i < USERS; i++) {
    rows.push(
      `${i},user${i}@northwind.example,User ${i},Sales,"Account Executive, EMEA",Germany,DE,Berlin,true,All Staff;Sales Team`,
    )
    records.push({
      id: String(i),
      userPrincipalName: `user${i}@northwind.example`,
      displayName: `User ${i}`,
      department: 'Sales',
      usageLocation: 'DE',
      accountEnabled: true,
      groups: ['All Staff'],
    })
  }
  return [
    { name: 'import.csv_100k_ms', value: bestOfThree('csv', rows.join('\n')), unit: 'ms' },
    { name: 'import.json_100k_ms', value: bestOfThree('json', JSON.stringify(records)), unit: 'ms' },
  ]
}
