package store

import (
	"encoding/json"
	"testing"
	"time"
)

func TestChangesKeepsChangedFieldsAndIDs(t *testing.T) {
	at := time.Date(2018, 7, 26, 9, 30, 0, 0, time.UTC)
	later := at.Add(time.Hour)
	before := Application{ID: 7, CycleID: 3, EnterpriseID: 5, ChannelID: 2, Status: "returned", ReturnReason: "fix it",
		Inputs: json.RawMessage(`{"sales":[1,2,3]}`), Declarations: json.RawMessage(`{}`), Version: 2, CreatedAt: at, UpdatedAt: at}
	after := before
	after.Status, after.ReturnReason, after.Version, after.UpdatedAt, after.SubmittedAt = "submitted", "", 3, later, &later
	b, a := Changes(before, struct {
		Application
		Rank int `json:"rank"`
	}{after, 4})
	wantB := `{"id":7,"cycle_id":3,"enterprise_id":5,"channel_id":2,"status":"returned","return_reason":"fix it","version":2,"submitted_at":null,"updated_at":"2018-07-26T09:30:00Z"}`
	wantA := `{"id":7,"cycle_id":3,"enterprise_id":5,"channel_id":2,"status":"submitted","return_reason":"","version":3,"submitted_at":"2018-07-26T10:30:00Z","updated_at":"2018-07-26T10:30:00Z","rank":4}`
	if string(b) != wantB {
		t.Errorf("before = %s\nwant     %s", b, wantB)
	}
	if string(a) != wantA {
		t.Errorf("after = %s\nwant    %s", a, wantA)
	}
	// A time equal as an instant in another zone is no change.
	same := before
	same.UpdatedAt = at.In(time.FixedZone("CST", 8*3600))
	if b, a := Changes(before, &same); string(b) != `{"id":7,"cycle_id":3,"enterprise_id":5,"channel_id":2}` || string(b) != string(a) {
		t.Errorf("no change: %s → %s", b, a)
	}
	// The entry is valid JSON for the log.
	for _, doc := range []Change{b, a} {
		if !json.Valid(doc) {
			t.Errorf("%s is not JSON", doc)
		}
	}
}
