// veraPDF's validation of PDF files against one or more profiles, one JSON object per file
// and profile on standard output. Run as a single-file source program (java VeraPdf.java …)
// with veraPDF's libraries on the class path: see tests/verapdf/__init__.py.
import java.io.FileInputStream;
import java.util.ArrayList;
import java.util.List;
import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.TestAssertion;
import org.verapdf.pdfa.results.ValidationResult;

public class VeraPdf {
  static String quoted(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ") + "\"";
  }

  public static void main(String[] args) throws Exception {
    // usage: VeraPdf <profile,profile,…> <file.pdf>…   (profiles as veraPDF names them: 2a, ua1)
    VeraGreenfieldFoundryProvider.initialise();
    List<PDFAFlavour> flavours = new ArrayList<>();
    for (String name : args[0].split(",")) {
      PDFAFlavour flavour = PDFAFlavour.fromString(name);
      if (flavour == PDFAFlavour.NO_FLAVOUR) throw new IllegalArgumentException("unknown profile " + name);
      flavours.add(flavour);
    }
    for (int i = 1; i < args.length; i++) {
      for (PDFAFlavour flavour : flavours) {
        try (PDFAParser parser = Foundries.defaultInstance().createParser(new FileInputStream(args[i]), flavour)) {
          PDFAValidator validator = Foundries.defaultInstance().createValidator(flavour, false);
          ValidationResult result = validator.validate(parser);
          List<String> failures = new ArrayList<>();
          for (TestAssertion a : result.getTestAssertions()) {
            if (a.getStatus() == TestAssertion.Status.FAILED) {
              failures.add(quoted(a.getRuleId().getClause() + "-" + a.getRuleId().getTestNumber() + " " + a.getMessage()));
            }
          }
          System.out.println("{\"file\": " + quoted(args[i]) + ", \"profile\": " + quoted(flavour.getId())
              + ", \"compliant\": " + result.isCompliant() + ", \"failures\": [" + String.join(", ", failures) + "]}");
        }
      }
    }
  }
}
