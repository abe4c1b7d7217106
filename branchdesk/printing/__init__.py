"""Printed documents: sign-in sheets (签到表) and meeting records (会议记录).

QtGui only, never widgets: the same renderers draw on a PDF, a printer or a preview.
"""
