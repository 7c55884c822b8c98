package sak

// Lang is a language a citizen reads: "nb", "nn" or "en". Anything else reads nb.
type Lang = string

var stateText = map[State][3]string{ // nb, nn, en
	Received:          {"Mottatt", "Motteken", "Received"},
	AwaitingPayment:   {"Venter på betaling", "Ventar på betaling", "Awaiting payment"},
	InProgress:        {"Under behandling", "Under handsaming", "In progress"},
	AwaitingApplicant: {"Venter på svar fra deg", "Ventar på svar frå deg", "Waiting for your reply"},
	Decided:           {"Vedtak fattet", "Vedtak gjort", "Decided"},
	Closed:            {"Avsluttet", "Avslutta", "Closed"},
	Withdrawn:         {"Trukket", "Trekt", "Withdrawn"},
}

var outcomeText = map[Outcome][3]string{
	Approved: {"Innvilget", "Innvilga", "Approved"},
	Rejected: {"Avslått", "Avslått", "Rejected"},
}

var deadlineText = map[DeadlineKind][3]string{
	DeadlinePayment:   {"Frist for betaling", "Frist for betaling", "Payment due"},
	DeadlineDecision:  {"Forventet vedtak", "Venta vedtak", "Decision expected"},
	DeadlineApplicant: {"Frist for å svare", "Frist for å svare", "Reply due"},
	DeadlineAppeal:    {"Klagefrist", "Klagefrist", "Appeal deadline"},
}

func pick(t [3]string, lang Lang) string {
	switch lang {
	case "nn":
		return t[1]
	case "en":
		return t[2]
	}
	return t[0]
}

// Label is the state as a citizen reads it, in nb, nn or en.
func (s State) Label(lang Lang) string {
	if t, ok := stateText[s]; ok {
		return pick(t, lang)
	}
	return string(s)
}

// Label is the outcome as a citizen reads it.
func (o Outcome) Label(lang Lang) string {
	if t, ok := outcomeText[o]; ok {
		return pick(t, lang)
	}
	return string(o)
}

// Label is the deadline's name as a citizen reads it.
func (k DeadlineKind) Label(lang Lang) string {
	if t, ok := deadlineText[k]; ok {
		return pick(t, lang)
	}
	return string(k)
}
