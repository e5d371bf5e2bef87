"""Scorecards and exports of interviews."""
