package report

// Independent tools that check what this package draws: zbarimg (Debian's
// zbar-tools) reads QR codes, pdftoppm and pdftotext (poppler-utils) render
// and read PDFs. Tests that need them fail, not skip, when they are missing:
// CI installs them (see toolPackages).

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// toolPackages is what to install for these tests.
const toolPackages = "apt-get install -y zbar-tools poppler-utils fonts-wqy-microhei"

// needTool returns the path of a command or fails the test saying what to
// install.
func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed; these tests check the output with independent tools: %s", name, toolPackages)
	}
	return p
}

// runTool runs a command and returns its standard output, failing the test with
// its standard error when it fails.
func runTool(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(needTool(t, name), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// zbarDecode returns the texts of the QR codes zbarimg finds in an image
// file, one per code.
func zbarDecode(t testing.TB, imagePath string) []string {
	t.Helper()
	out := runTool(t, "zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", imagePath)
	return strings.Split(strings.TrimRight(string(out), "\n"), "\n")
}

// writeTemp writes b to a file named name in a test's temporary folder.
func writeTemp(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// pdfPagePNG renders page 1 of a PDF at dpi and returns the PNG's path.
func pdfPagePNG(t testing.TB, pdfPath string, dpi int) string {
	t.Helper()
	prefix := filepath.Join(t.TempDir(), "page")
	runTool(t, "pdftoppm", "-r", strconv.Itoa(dpi), "-f", "1", "-l", "1", "-singlefile", "-png", pdfPath, prefix)
	return prefix + ".png"
}

// pdfText returns the text layer of a PDF as pdftotext extracts it.
func pdfText(t testing.TB, pdfPath string) string {
	t.Helper()
	return string(runTool(t, "pdftotext", "-enc", "UTF-8", pdfPath, "-"))
}
