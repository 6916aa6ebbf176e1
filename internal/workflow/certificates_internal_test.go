package workflow

import (
	"testing"
	"time"

	"github.com/exemplar/exemplar/internal/store"
)

// TestCertificateStatus: a certificate is valid through its last day,
// expired after it or when its title expired, and revoked when its title
// was — revoked even when it had run out anyway.
func TestCertificateStatus(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	c := store.Certificate{IssuedOn: day(2018, 8, 17), ValidUntil: day(2021, 8, 17)}
	for _, tc := range []struct {
		rec   string
		today time.Time
		want  string
	}{
		{RecognitionPassedReview, day(2018, 8, 17), CertificateValid},
		{RecognitionActive, day(2021, 8, 17), CertificateValid},
		{RecognitionPassedReview, day(2021, 8, 18), CertificateExpired},
		{RecognitionExpired, day(2019, 1, 1), CertificateExpired},
		{RecognitionRevoked, day(2019, 1, 1), CertificateRevoked},
		{RecognitionRevoked, day(2030, 1, 1), CertificateRevoked},
	} {
		if got := certificateStatus(c, store.Recognition{Status: tc.rec}, tc.today); got != tc.want {
			t.Errorf("title %s on %s: %s; want %s", tc.rec, tc.today.Format(time.DateOnly), got, tc.want)
		}
	}
}
