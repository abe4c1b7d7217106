"""The look of the window in one place: the palette, named text styles and the style sheets.

Every colour a ui module shows on screen is named here once; modules use the names
(``label.setStyleSheet(theme.MUTED_TEXT)``, ``QColor(theme.BRAND_RED)``). The colour of each
meeting kind in the charts is part of its spec in ``domain/meeting_kinds.py``, not here.
"""

from __future__ import annotations

# -- palette ---------------------------------------------------------------------------------

# The brand red: the selected page, primary buttons, errors, absences, "not met".
BRAND_RED = "#b71c1c"
BRAND_RED_HOVER = "#a31919"
BRAND_RED_BORDER = "#9f1a1a"
BRAND_RED_DISABLED = "#d9a3a3"
DEEP_RED = "#8b1a1a"  # card and panel titles, the calendar's selected day
FORM_ERROR = "#b00020"  # the error line under a small form (first run, print, requirements)

WARNING = "#9a6700"  # amber dark enough to read on white
SUCCESS = "#2e7d32"
INFO_BLUE = "#1d5fa6"  # links, planned meetings, the attendance rate line

TEXT = "#1f1f1f"
TEXT_DARK = "#333333"  # section titles, legends, weekend days
MUTED = "#5f5f5f"  # captions, hints, notes
MUTED_GREY = "#6b6b6b"  # the return summary's captions and "not assessed"
HEADER_GREY = "#666"  # column headers of the requirements dialog
PLACEHOLDER = "#9a9a9a"  # an empty cell of the attendance grid
DISABLED_TEXT = "#a8a8a8"
LEFT_GREY = "#8a8a8a"  # members who have left the branch, in the roster

PAGE_BACKGROUND = "#f7f5f1"
PANEL_BACKGROUND = "#f3f0eb"  # navigation, table headers, the calendar bar
HOVER_BACKGROUND = "#f6efe6"  # hovered rows and buttons, the totals row
PRESSED_BACKGROUND = "#ecdfcf"  # a list page's toolbar button while pressed
TILE_BACKGROUND = "#faf7f2"
HEADER_BACKGROUND = "#faf8f5"  # the member record's header
DROP_ACTIVE_BACKGROUND = "#fbf1ec"
WHITE = "#ffffff"

RULE = "#ddd5c8"  # separators, the navigation's edge, group boxes
CARD_BORDER = "#e2dcd2"
BUTTON_BORDER = "#cfc6b8"
DISABLED_BORDER = "#e2ddd5"
TILE_BORDER = "#e0d8cc"
GRID_LINE = "#e6e0d6"
GRID_LINE_LIGHT = "#ebe5db"
CHART_GRID = "#ece7df"

# Attendance: leave in amber, absent in red, on a light background of the same hue.
LEAVE_TEXT = "#8a5a00"
LEAVE_BACKGROUND = "#fff1cf"  # attendance grid
ABSENT_BACKGROUND = "#fbdede"  # attendance grid
RECORD_LEAVE_BACKGROUND = "#fdf3dc"  # a member's record
RECORD_ABSENT_BACKGROUND = "#fbe4e1"  # a member's record
GRID_SELECTION = "#f0dcd6"  # light, so amber and red still show when selected
RECORD_SELECTION = "#f3d9d4"

# The home page calendar.
CALENDAR_LATE = "#f6d5d1"
CALENDAR_PLANNED = "#d6e6f7"
CALENDAR_HELD = "#dcefdc"

# Banners and result lines.
BANNER_BACKGROUND = "#fff3cd"
BANNER_TEXT = "#6b4e00"
BANNER_BORDER = "#e6d38a"
LOCK_BACKGROUND = "#fdf6e3"
LOCK_BORDER = "#e8d9b0"
LOCK_TEXT = "#7a5200"
DONE_BACKGROUND = "#eef6ee"
DONE_BORDER = "#c8e0c8"
DONE_BORDER_SETTINGS = "#c9dfc9"
DONE_TEXT = "#1e5e22"
EXPORT_NOTE_TEXT = "#2e6b2e"

# The printed member record (``member_record_view.record_html``): greys that print on paper.
PRINT_RULE = "#888888"
PRINT_HEADER_BACKGROUND = "#eeeeee"
PRINT_LABEL_BACKGROUND = "#f4f4f4"
PRINT_NOTE = "#555555"
PRINT_SUBTITLE = "#444444"

# -- named text styles -----------------------------------------------------------------------


def color(value: str) -> str:
    """The style of a text in one colour."""
    return f"color: {value};"


MUTED_TEXT = color(MUTED)
ERROR_TEXT = color(BRAND_RED)
WARNING_TEXT = color(WARNING)
SUCCESS_TEXT = color(SUCCESS)
FORM_ERROR_TEXT = color(FORM_ERROR)
HEADER_TEXT = color(HEADER_GREY)

HEADING = "font-size: 16pt; font-weight: 600;"
SUBHEADING = "font-size: 12pt; font-weight: 600;"
RULE_LINE = color(RULE)
COUNT_TEXT = "font-size: 11pt;"
MUTED_COUNT_TEXT = f"font-size: 11pt; color: {MUTED};"
BOLD_COUNT_TEXT = "font-size: 11.5pt; font-weight: 600;"
TILE_NUMBER_SIZE = "font-size: 17pt;"
SMALL_MUTED_TEXT = f"font-size: 14px; color: {MUTED};"
PLANNED_NOTE = f"color: {INFO_BLUE}; padding-left: 8px;"
# The meeting editor's quorum line (会议有效 / 无效): read before anything else on the page.
QUORUM_VALID = f"color: {SUCCESS}; font-size: 11pt; font-weight: 600;"
QUORUM_INVALID = f"color: {BRAND_RED}; font-size: 11pt; font-weight: 600;"


def tile_number(value: str = TEXT) -> str:
    """The big number of a statistic tile, in ``value`` (a palette colour)."""
    return f"{TILE_NUMBER_SIZE} color: {value};"


def primary_button(padding: str, *, bold: bool) -> str:
    """The red save button of an editor (objectName ``primaryButton``)."""
    weight = " font-weight: 600;" if bold else ""
    return (
        f"#primaryButton {{ background: {BRAND_RED}; color: white;"
        f" border: 1px solid {BRAND_RED_BORDER};"
        f" border-radius: 4px; padding: {padding};{weight} }}"
        f"#primaryButton:hover {{ background: {BRAND_RED_HOVER}; }}"
    )


# -- style sheets ----------------------------------------------------------------------------

# The main window's: navigation and the read-only banner.
MAIN_WINDOW = (
    f"#navigation {{ background: {PANEL_BACKGROUND}; border: none;"
    f" border-right: 1px solid {RULE};"
    " font-size: 15px; }"
    "#navigation::item { padding: 6px; }"
    f"#navigation::item:selected {{ background: {BRAND_RED}; color: white; }}"
    f"#banner {{ background: {BANNER_BACKGROUND}; color: {BANNER_TEXT}; padding: 8px 16px;"
    f" border-bottom: 1px solid {BANNER_BORDER}; font-size: 15px; }}"
)

HOME_PAGE = f"""
#HomePage, #homeContent {{ background: {PAGE_BACKGROUND}; }}
#HomePage QLabel {{ font-size: 15px; }}
QLabel#pageTitle {{ font-size: 26px; font-weight: 600; }}
QLabel#todayLabel {{ font-size: 17px; color: {MUTED}; }}
QLabel#branchLabel, QLabel#countsLabel, QLabel#countsDetail {{ font-size: 15px; color: {MUTED}; }}
QLabel#summaryLabel {{ font-size: 18px; }}
#card {{ background: white; border: 1px solid {CARD_BORDER}; border-radius: 8px; }}
QLabel#cardTitle {{ font-size: 20px; font-weight: 600; color: {DEEP_RED}; }}
QLabel#cardSubtitle {{ font-size: 15px; color: {MUTED}; }}
QLabel#sectionTitle {{ font-size: 16px; font-weight: 600; color: {TEXT_DARK}; }}
QLabel#emptyNote {{ color: {MUTED}; }}
#dutyRow {{ border-radius: 6px; }}
#dutyRow[openable="true"]:hover {{ background: {HOVER_BACKGROUND}; }}
QLabel#dutyName {{ font-size: 17px; }}
QLabel#dutyMark {{ font-size: 20px; font-weight: 700; }}
QLabel#dutyDetail {{ font-size: 15px; }}
QPushButton#quickAction {{
    font-size: 16px; padding: 7px 16px; border: 1px solid {BUTTON_BORDER}; border-radius: 5px;
    background: white; min-height: 24px;
}}
QPushButton#quickAction:hover {{ background: {HOVER_BACKGROUND}; }}
QPushButton#primaryAction {{
    font-size: 16px; font-weight: 600; padding: 7px 18px; border: 1px solid {BRAND_RED_BORDER};
    border-radius: 5px; background: {BRAND_RED}; color: white; min-height: 24px;
}}
QPushButton#primaryAction:hover {{ background: {BRAND_RED_HOVER}; }}
QPushButton#lineAction {{
    font-size: 15px; padding: 3px 10px; border: 1px solid {BUTTON_BORDER}; border-radius: 4px;
    background: white; color: {DEEP_RED};
}}
QPushButton#lineAction:hover {{ background: {HOVER_BACKGROUND}; }}
QPushButton#linkButton {{
    font-size: 15px; border: none; background: transparent; color: {INFO_BLUE}; padding: 2px 4px;
}}
QPushButton#linkButton:hover {{ text-decoration: underline; }}
QCalendarWidget QAbstractItemView {{ font-size: 15px; selection-background-color: {DEEP_RED};
    selection-color: white; }}
QCalendarWidget QToolButton {{ font-size: 16px; color: {TEXT_DARK}; }}
QCalendarWidget #qt_calendar_navigationbar {{ background: {PANEL_BACKGROUND}; }}
"""

REPORTS_PAGE = f"""
#reportsPage {{ background: {PAGE_BACKGROUND}; }}
#reportsPage QLabel, #reportsPage QComboBox, #reportsPage QSpinBox, #reportsPage QCheckBox,
#reportsPage QPushButton {{ font-size: 15px; }}
QLabel#pageTitle {{ font-size: 26px; font-weight: 600; }}
QTabBar::tab {{ font-size: 16px; padding: 8px 22px; }}
QPushButton#primaryAction {{
    font-weight: 600; padding: 7px 18px; border: 1px solid {BRAND_RED_BORDER}; border-radius: 5px;
    background: {BRAND_RED}; color: white;
}}
QPushButton#primaryAction:hover {{ background: {BRAND_RED_HOVER}; }}
QPushButton#primaryAction:disabled {{
    background: {BRAND_RED_DISABLED}; border-color: {BRAND_RED_DISABLED};
}}
QPushButton#pageAction {{
    padding: 5px 14px; border: 1px solid {BUTTON_BORDER}; border-radius: 5px; background: white;
}}
QPushButton#pageAction:hover {{ background: {HOVER_BACKGROUND}; }}
QPushButton#pageAction:disabled {{ color: {DISABLED_TEXT}; border-color: {DISABLED_BORDER}; }}
#lockBar {{ background: {LOCK_BACKGROUND}; border: 1px solid {LOCK_BORDER}; border-radius: 5px; }}
#lockBar QLabel {{ color: {LOCK_TEXT}; }}
"""

RETURN_SUMMARY = f"""
#returnSummary, #summaryContent {{ background: {PAGE_BACKGROUND}; }}
#returnSummary QLabel {{ font-size: 15px; }}
QLabel#summaryTitle {{ font-size: 21px; font-weight: 600; }}
QLabel#summarySubtitle {{ color: {MUTED_GREY}; }}
QLabel#summaryVerdict {{ font-size: 16px; font-weight: 600; }}
#card {{ background: white; border: 1px solid {CARD_BORDER}; border-radius: 8px; }}
QLabel#cardTitle {{ font-size: 17px; font-weight: 600; color: {DEEP_RED}; }}
QLabel#figureValue {{ font-size: 22px; font-weight: 600; color: {TEXT}; }}
QLabel#figureCaption {{ font-size: 14px; color: {MUTED_GREY}; }}
QLabel#cardNote {{ font-size: 14px; color: {MUTED_GREY}; }}
QTableView {{ font-size: 15px; border: none; gridline-color: {GRID_LINE_LIGHT}; background: white; }}
QTableView::item {{ padding: 3px 8px; }}
QHeaderView::section {{
    font-size: 14px; padding: 4px 8px; background: {PANEL_BACKGROUND}; border: none;
    border-bottom: 1px solid {CARD_BORDER};
}}
"""

EXPORT_RESULT = (
    f"#exportResult {{ background: {DONE_BACKGROUND}; border: 1px solid {DONE_BORDER};"
    " border-radius: 5px; }"
    f"#exportResult QLabel {{ font-size: 15px; color: {DONE_TEXT}; }}"
)

CONSOLIDATION = f"""
#dropZone {{ background: white; border: 2px dashed {BUTTON_BORDER}; border-radius: 8px; }}
#dropZone[active="true"] {{ background: {DROP_ACTIVE_BACKGROUND}; border-color: {BRAND_RED}; }}
QLabel#dropTitle {{ font-size: 16px; font-weight: 600; color: {TEXT_DARK}; }}
QLabel#dropHint {{ font-size: 14px; color: {MUTED_GREY}; }}
QLabel#consolidationStatus {{ font-size: 16px; font-weight: 600; }}
QLabel#panelTitle {{ font-size: 15px; font-weight: 600; color: {DEEP_RED}; }}
QLabel#panelText {{ font-size: 15px; }}
#problemPanel {{ background: white; border: 1px solid {CARD_BORDER}; border-radius: 8px; }}
QTableView {{ font-size: 15px; gridline-color: {GRID_LINE_LIGHT}; background: white; }}
QTableView::item {{ padding: 2px 6px; }}
QHeaderView::section {{
    font-size: 14px; padding: 4px 6px; background: {PANEL_BACKGROUND}; border: none;
    border-right: 1px solid {CARD_BORDER}; border-bottom: 1px solid {CARD_BORDER};
}}
"""

SETTINGS_PAGE = (
    f"QGroupBox {{ font-weight: 600; border: 1px solid {RULE}; border-radius: 4px;"
    " margin-top: 12px; padding: 14px 12px 10px 12px; }"
    "QGroupBox::title { subcontrol-origin: margin; left: 10px; padding: 0 4px; }"
    "QGroupBox QLabel, QGroupBox QLineEdit, QGroupBox QPushButton,"
    " QGroupBox QTableWidget, QGroupBox QHeaderView { font-weight: normal; }"
    f"#resultLine {{ background: {DONE_BACKGROUND}; border: 1px solid {DONE_BORDER_SETTINGS};"
    " border-radius: 4px; }"
)

MEMBER_RECORD = f"""
QTableView {{ gridline-color: {GRID_LINE}; selection-background-color: {RECORD_SELECTION};
             selection-color: {TEXT}; }}
QHeaderView::section {{ padding: 4px 8px; }}
#recordHeader {{ background: {HEADER_BACKGROUND}; border: 1px solid {GRID_LINE}; border-radius: 4px; }}
#statTile {{ background: {WHITE}; border: 1px solid {GRID_LINE}; border-radius: 4px; }}
#exportNote {{ color: {EXPORT_NOTE_TEXT}; }}
"""

ATTENDANCE_GRID = f"QTableView {{ gridline-color: {GRID_LINE}; }}"

COUNT_TILE = (
    f"QLabel {{ border: 1px solid {TILE_BORDER}; border-radius: 6px; padding: 8px 14px;"
    f" background: {TILE_BACKGROUND}; font-size: 11pt; }}"
)


# -- list pages (会议, 活动: ui/page_kit.py) ------------------------------------------------------

LIST_PAGE_BUTTONS = f"""
QToolButton#pageAction {{
    border: 1px solid {BUTTON_BORDER}; border-radius: 4px; background: {WHITE}; padding: 5px 12px;
}}
QToolButton#pageAction:hover {{ background: {HOVER_BACKGROUND}; }}
QToolButton#pageAction:pressed {{ background: {PRESSED_BACKGROUND}; }}
QToolButton#pageAction:disabled {{ color: {DISABLED_TEXT}; border-color: {DISABLED_BORDER}; }}
QToolButton#primaryAction {{
    border: 1px solid {BRAND_RED_BORDER}; border-radius: 4px; background: {BRAND_RED}; color: white;
    padding: 5px 14px;%s
}}
QToolButton#primaryAction:hover {{ background: {BRAND_RED_HOVER}; }}
QTableView {{ gridline-color: {GRID_LINE}; selection-background-color: {RECORD_SELECTION};
             selection-color: {TEXT}; }}
QHeaderView::section {{ padding: 4px 8px; }}
"""
UNDO_BAR = (
    f"#undoBar {{ background: {LOCK_BACKGROUND}; border: 1px solid {LOCK_BORDER}; border-radius: 4px; }}\n"
)
EMPTY_STATE = f"#emptyState {{ background: {HEADER_BACKGROUND}; border: 1px dashed {BUTTON_BORDER}; }}"
TOTALS_BAR = (
    f"#totalsBar {{ background: {HEADER_BACKGROUND}; border: 1px solid {GRID_LINE}; border-radius: 4px; }}\n"
)
