// A minimal SVG writer for the reports of `cfp optimize --svg` and the benchmarks' plots:
// shapes and text appended to a string, every text escaped. Header-only so the benchmarks
// can share it without linking the tool.
#pragma once

#include <cstdio>
#include <string>

namespace cfp_svg {

inline std::string Escape(const std::string &s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

inline std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

class Svg {
 public:
  Svg(double width, double height) : width_(width), height_(height) {}

  void Rect(double x, double y, double w, double h, const std::string &fill, const std::string &extra = "") {
    body_ += "<rect x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" width=\"" + Num(w) + "\" height=\"" + Num(h) +
             "\" fill=\"" + fill + "\" " + extra + "/>\n";
  }
  void Line(double x1, double y1, double x2, double y2, const std::string &stroke, double width = 1,
            const std::string &extra = "") {
    body_ += "<line x1=\"" + Num(x1) + "\" y1=\"" + Num(y1) + "\" x2=\"" + Num(x2) + "\" y2=\"" + Num(y2) +
             "\" stroke=\"" + stroke + "\" stroke-width=\"" + Num(width) + "\" " + extra + "/>\n";
  }
  void Circle(double cx, double cy, double r, const std::string &fill, const std::string &stroke = "none") {
    body_ += "<circle cx=\"" + Num(cx) + "\" cy=\"" + Num(cy) + "\" r=\"" + Num(r) + "\" fill=\"" + fill +
             "\" stroke=\"" + stroke + "\" stroke-width=\"1.5\"/>\n";
  }
  // anchor: start | middle | end.
  void Text(double x, double y, const std::string &text, double size = 12, const std::string &anchor = "start",
            const std::string &extra = "") {
    body_ += "<text x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" font-size=\"" + Num(size) + "\" text-anchor=\"" + anchor +
             "\" " + extra + ">" + Escape(text) + "</text>\n";
  }
  void Polyline(const std::string &points, const std::string &stroke, double width = 1.5,
                const std::string &extra = "") {
    body_ += "<polyline points=\"" + points + "\" fill=\"none\" stroke=\"" + stroke + "\" stroke-width=\"" + Num(width) +
             "\" " + extra + "/>\n";
  }
  void Raw(const std::string &element) { body_ += element + "\n"; }

  std::string Finish() const {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + Num(width_) +
           "\" height=\"" + Num(height_) + "\" viewBox=\"0 0 " + Num(width_) + " " + Num(height_) +
           "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n<rect width=\"100%\" height=\"100%\" "
           "fill=\"white\"/>\n" +
           body_ + "</svg>\n";
  }

 private:
  double width_, height_;
  std::string body_;
};

}  // namespace cfp_svg
