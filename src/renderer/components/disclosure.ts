// One behaviour for every editor or panel that opens in place: focus moves into it when it
// opens, Escape closes it, and focus goes back to the button that opened it (WAI-ARIA APG,
// "Disclosure" and "Dialog" patterns: https://www.w3.org/WAI/ARIA/apg/patterns/).
import { useEffect, useRef, useState, type KeyboardEvent } from 'react'

export interface Disclosure<P extends HTMLElement> {
  open: boolean
  show: () => void
  hide: () => void
  /** Give to the button that opens it: focus returns there on close. */
  trigger: React.RefObject<HTMLButtonElement | null>
  /** Spread on the opened panel: it takes focus, and Escape inside it closes it. */
  panel: {
    ref: React.RefObject<P | null>
    tabIndex: -1
    onKeyDown: (e: KeyboardEvent) => void
  }
}

export function useDisclosure<P extends HTMLElement = HTMLElement>(initial = false): Disclosure<P> {
  const [open, setOpen] = useState(initial)
  const trigger = useRef<HTMLButtonElement | null>(null)
  const panel = useRef<P | null>(null)
  const wasOpen = useRef(initial)
  useEffect(() => {
    // A control inside that took focus itself (autoFocus) keeps it.
    if (open && !wasOpen.current && !panel.current?.contains(document.activeElement)) panel.current?.focus()
    if (!open && wasOpen.current) trigger.current?.focus()
    wasOpen.current = open
  }, [open])
  return {
    open,
    show: () => setOpen(true),
    hide: () => setOpen(false),
    trigger,
    panel: {
      ref: panel,
      tabIndex: -1,
      onKeyDown: e => {
        // The innermost open panel closes first; a select's own list handles its Escape itself.
        if (e.key !== 'Escape' || e.defaultPrevented) return
        e.preventDefault()
        e.stopPropagation()
        setOpen(false)
      },
    },
  }
}
